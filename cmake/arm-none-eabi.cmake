# SPDX-License-Identifier: BSL-1.0
# CMake toolchain file: Cortex-M4F bare metal with Debian's arm-none-eabi-gcc 12 and newlib-nano.
#
#   cmake -S tests/firmware -B build/firmware -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake -DCMAKE_BUILD_TYPE=MinSizeRel
#
# Flags: -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16, C++20, no exceptions, no RTTI,
# one section per function/object and --gc-sections. Images link newlib-nano; each executable adds
# its own syscall layer (--specs=rdimon.specs for semihosted stdio, or nosys + eddy's board).
# Executables run under `qemu-system-arm -M mps2-an386` with semihosting through
# CMAKE_CROSSCOMPILING_EMULATOR, so `add_test(NAME x COMMAND image)` runs the image in QEMU and
# its exit status is the image's `exit()` status.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
find_program(EDDY_ARM_SIZE arm-none-eabi-size)
find_program(EDDY_QEMU_ARM qemu-system-arm)

# Compiler checks build a static library: a bare-metal executable needs a vector table.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(EDDY_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${EDDY_CPU_FLAGS} -ffunction-sections -fdata-sections")
# -Wno-psabi: GCC's notes about a parameter-passing change in GCC 7.1 are not warnings about us.
set(CMAKE_CXX_FLAGS_INIT
    "${EDDY_CPU_FLAGS} -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections -Wno-psabi")
set(CMAKE_ASM_FLAGS_INIT "${EDDY_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${EDDY_CPU_FLAGS} --specs=nano.specs -Wl,--gc-sections")
set(CMAKE_C_FLAGS_MINSIZEREL_INIT "-Os -DNDEBUG")
set(CMAKE_CXX_FLAGS_MINSIZEREL_INIT "-Os -DNDEBUG")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The image path is appended after -kernel. Arguments after the image go to the program through
# semihosting (SYS_GET_CMDLINE): `add_test(NAME t COMMAND image -append "args")`.
# -icount makes the guest clock follow executed instructions, so SysTick timing is reproducible.
set(CMAKE_CROSSCOMPILING_EMULATOR
    qemu-system-arm;-M;mps2-an386;-nographic;-monitor;none;-serial;null;-icount;shift=4
    -semihosting-config;enable=on,target=native;-kernel)

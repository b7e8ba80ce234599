// SPDX-License-Identifier: BSL-1.0
/// \file
/// A tiny board layer for eddy's firmware images on QEMU's mps2-an386 (Cortex-M4F): console
/// output and exit through semihosting, the interrupt mask used as eddy's critical section, the
/// SysTick timer, and `wait_for_interrupt`. Nothing here allocates.
///
/// Semihosting calls trap to the debugger (QEMU here); on a board without a debugger attached
/// they fault, so a real product replaces `put`/`exit` with its UART and reset.
#pragma once
#include <cstdint>

namespace board {

/// Writes `s` to the semihosting console.
void put(const char* s) noexcept;
/// Writes `v` in decimal (32-bit arithmetic: no 64-bit division is linked in).
void put(long v) noexcept;
inline void put(int v) noexcept {
  put(static_cast<long>(v));
}
inline void put(unsigned v) noexcept {
  put(static_cast<long>(v));
}
inline void put(unsigned long v) noexcept {
  put(static_cast<long>(v));
}
/// `put` of each argument in turn: `board::print("t=", ms, " ms\n")`.
template <class... A>
void print(const A&... a) noexcept {
  (put(a), ...);
}

/// Ends the run: QEMU exits with `status`.
[[noreturn]] void exit(int status) noexcept;

/// Masks interrupts (PRIMASK) and returns the previous mask, for `irq_restore`.
inline std::uint32_t irq_save() noexcept {
  std::uint32_t primask;
  asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
  return primask;
}
/// Restores the mask saved by `irq_save` (nests correctly).
inline void irq_restore(std::uint32_t primask) noexcept {
  asm volatile("msr primask, %0" ::"r"(primask) : "memory");
}
/// Sleeps until an interrupt is pending. With interrupts masked it still wakes up (and the
/// interrupt runs once the mask is lifted): that is how an idle loop avoids a lost wake-up.
inline void wait_for_interrupt() noexcept {
  asm volatile("dsb\n\twfi" ::: "memory");
}

/// Makes every eddy lock a critical section: `irq_save` / `irq_restore`. Call it first in main.
void use_interrupt_mask_for_eddy_locks() noexcept;

/// Starts SysTick at `hz` interrupts per second (core clock 25 MHz on mps2-an386);
/// `SysTick_Handler` must be defined by the program.
void systick_start(std::uint32_t hz) noexcept;
/// Starts SysTick with an interrupt every `cycles` core clock cycles (1 to 2^24).
void systick_start_cycles(std::uint32_t cycles) noexcept;
void systick_stop() noexcept;

/// Enables external interrupt `irq` (0-31) in the NVIC; its handler is `IRQ<irq>_Handler`
/// (boot.c has vectors for IRQ0..IRQ3).
void irq_enable(unsigned irq) noexcept;
/// Makes external interrupt `irq` pending: its handler runs as soon as interrupts are unmasked
/// (at once if they are) — a software-triggered interrupt, for tests and demos.
void irq_trigger(unsigned irq) noexcept;

}  // namespace board

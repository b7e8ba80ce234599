// SPDX-License-Identifier: BSL-1.0
/* Startup for eddy's firmware images on QEMU's mps2-an386 (Cortex-M4F, RAM at address 0).
 *
 * - The vector table goes to address 0 (link with -Wl,--section-start=.vectors=0
 *   -Wl,-u,eddy_vectors); QEMU loads the ELF there and boots from it.
 * - Reset enables the FPU (CPACR, needed with -mfloat-abi=hard) and jumps to newlib's crt0
 *   `_start`, which sets the stack, clears .bss, runs constructors, calls main() and exit().
 *   .text starts at 0x8000 inside RAM, so there is no .data copy.
 * - Every exception without a handler ends the run: it prints which one and exits QEMU with
 *   status 100 + the exception number (a HardFault gives 103), so a fault never hangs a test.
 * - SysTick_Handler, SVC/PendSV and the NVIC interrupts are weak: define them to use them.
 *
 * Compiled as C or C++ (g++ treats .c as C++): the guards keep the names unmangled. */
#ifdef __cplusplus
extern "C" {
#endif

void _start(void);
void eddy_board_semihost_write0(const char* s);
void eddy_board_semihost_exit(int status);
extern char _stack; /* from the default linker script; crt0 sets the final stack itself */

void eddy_reset_handler(void) {
  volatile unsigned* const cpacr = (volatile unsigned*)0xE000ED88u;
  *cpacr |= 0xFu << 20; /* CP10, CP11: full access to the FPU */
  __asm__ volatile("dsb\n\tisb" ::: "memory");
  _start();
  for (;;) {
  }
}

void eddy_unexpected_exception(void) {
  unsigned ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  const unsigned n = ipsr & 0x1FFu;
  char msg[] = "eddy board: unexpected exception 000 (3 = HardFault), stopping\n";
  msg[33] = (char)('0' + n / 100 % 10);
  msg[34] = (char)('0' + n / 10 % 10);
  msg[35] = (char)('0' + n % 10);
  eddy_board_semihost_write0(msg);
  eddy_board_semihost_exit(100 + (int)(n > 99 ? 99 : n));
}

#define EDDY_WEAK_HANDLER(name) \
  void name(void) __attribute__((weak, alias("eddy_unexpected_exception")))
EDDY_WEAK_HANDLER(NMI_Handler);
EDDY_WEAK_HANDLER(HardFault_Handler);
EDDY_WEAK_HANDLER(MemManage_Handler);
EDDY_WEAK_HANDLER(BusFault_Handler);
EDDY_WEAK_HANDLER(UsageFault_Handler);
EDDY_WEAK_HANDLER(SVC_Handler);
EDDY_WEAK_HANDLER(DebugMon_Handler);
EDDY_WEAK_HANDLER(PendSV_Handler);
EDDY_WEAK_HANDLER(SysTick_Handler);
EDDY_WEAK_HANDLER(IRQ0_Handler);
EDDY_WEAK_HANDLER(IRQ1_Handler);
EDDY_WEAK_HANDLER(IRQ2_Handler);
EDDY_WEAK_HANDLER(IRQ3_Handler);

typedef void (*eddy_vector)(void);

__attribute__((section(".vectors"), used)) const eddy_vector eddy_vectors[16 + 4] = {
    (eddy_vector)(void*)&_stack,
    eddy_reset_handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    0,
    0,
    0,
    0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler,
    IRQ0_Handler,
    IRQ1_Handler,
    IRQ2_Handler,
    IRQ3_Handler,
};

#ifdef __cplusplus
}
#endif

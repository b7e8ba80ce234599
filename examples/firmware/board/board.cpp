// SPDX-License-Identifier: BSL-1.0
#include "board.hpp"

#include <eddy/core/lock.hpp>

namespace {
enum : int { sys_write0 = 0x04, sys_exit = 0x18, sys_exit_extended = 0x20 };
constexpr std::uint32_t adp_stopped_application_exit = 0x20026;

int semihost(int op, const void* arg) noexcept {
  register int r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

unsigned eddy_enter() noexcept {
  return board::irq_save();
}
void eddy_leave(unsigned state) noexcept {
  board::irq_restore(state);
}

struct systick_regs {
  volatile std::uint32_t ctrl, load, val, calib;
};
systick_regs& systick() noexcept {
  return *reinterpret_cast<systick_regs*>(0xE000E010u);
}
constexpr std::uint32_t core_clock_hz = 25'000'000;
}  // namespace

extern "C" void eddy_board_semihost_write0(const char* s) {
  semihost(sys_write0, s);
}
extern "C" void eddy_board_semihost_exit(int status) {
  const std::uint32_t block[2] = {adp_stopped_application_exit, static_cast<std::uint32_t>(status)};
  semihost(sys_exit_extended, block);
  semihost(sys_exit, reinterpret_cast<const void*>(adp_stopped_application_exit));  // old hosts
  for (;;) {
  }
}

namespace board {

void put(const char* s) noexcept {
  eddy_board_semihost_write0(s);
}

void put(long v) noexcept {
  char buf[16];
  char* p = buf + sizeof buf;
  *--p = '\0';
  unsigned long u = v < 0 ? 0ul - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  put(p);
}

void exit(int status) noexcept {
  eddy_board_semihost_exit(status);
  for (;;) {
  }
}

void use_interrupt_mask_for_eddy_locks() noexcept {
  eddy::set_critical_section_hooks({&eddy_enter, &eddy_leave});
}

void systick_start(std::uint32_t hz) noexcept {
  systick_start_cycles(core_clock_hz / hz);
}
void systick_start_cycles(std::uint32_t cycles) noexcept {
  systick().ctrl = 0;
  systick().load = cycles - 1;
  systick().val = 0;
  systick().ctrl = 0x7;  // processor clock, interrupt, enable
}
void systick_stop() noexcept {
  systick().ctrl = 0;
}

void irq_enable(unsigned irq) noexcept {
  reinterpret_cast<volatile std::uint32_t*>(0xE000E100u)[irq / 32] = 1u << (irq % 32);  // ISER
}
void irq_trigger(unsigned irq) noexcept {
  reinterpret_cast<volatile std::uint32_t*>(0xE000E200u)[irq / 32] = 1u << (irq % 32);  // ISPR
  asm volatile("dsb\n\tisb" ::: "memory");
}

}  // namespace board

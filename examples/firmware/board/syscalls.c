// SPDX-License-Identifier: BSL-1.0
/* The newlib system calls an image needs when it links libnosys (--specs=nosys.specs) instead of
 * the semihosted librdimon: `_exit` ends the QEMU run with the status, `_write` sends stdout and
 * stderr (eddy::panic's message) to the semihosting console. No heap growth: `_sbrk` fails, so
 * malloc returns null; eddy's allocations come from the program's arena. */
#include <errno.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void eddy_board_semihost_write0(const char* s);
void eddy_board_semihost_exit(int status);

void _exit(int status) {
  eddy_board_semihost_exit(status);
  for (;;) {
  }
}

int _write(int fd, const char* buf, int len) {
  if (fd != 1 && fd != 2) {
    errno = EBADF;
    return -1;
  }
  char chunk[65];
  int done = 0;
  while (done < len) {
    int n = len - done < 64 ? len - done : 64;
    for (int i = 0; i < n; ++i) chunk[i] = buf[done + i];
    chunk[n] = '\0';
    eddy_board_semihost_write0(chunk);
    done += n;
  }
  return len;
}

void* _sbrk(ptrdiff_t increment) {
  (void)increment;
  errno = ENOMEM;
  return (void*)-1;
}

#ifdef __cplusplus
}
#endif

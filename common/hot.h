/* hot.h — SB_HOT marks the functions of an NSS hit (getpwnam, getpwuid,
 * initgroups). On the machines we measure, every syscall empties the TLB
 * (page-table isolation without PCID), and glibc makes one before each NSS
 * call; hot functions are placed together in .text.hot, so a hit walks one
 * or two code pages instead of four. */
#ifndef SB_HOT_H
#define SB_HOT_H

#define SB_HOT __attribute__((hot))

#endif

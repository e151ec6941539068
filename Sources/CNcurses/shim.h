// Shim for ncursesw: Swift cannot import curses' function-like macros or its
// global variables under strict concurrency, so they are wrapped here.
// SwiftPM drops pkg-config's -D flags, hence the defines before the include.
#ifndef MAPITOP_CNCURSES_SHIM_H
#define MAPITOP_CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#include <langinfo.h>

static inline attr_t mapitop_a_normal(void) { return A_NORMAL; }
static inline attr_t mapitop_a_bold(void) { return A_BOLD; }
static inline attr_t mapitop_a_reverse(void) { return A_REVERSE; }
static inline attr_t mapitop_a_dim(void) { return A_DIM; }
static inline attr_t mapitop_a_underline(void) { return A_UNDERLINE; }

static inline WINDOW *mapitop_stdscr(void) { return stdscr; }
static inline int mapitop_lines(void) { return LINES; }
static inline int mapitop_cols(void) { return COLS; }
static inline int mapitop_color_pairs(void) { return COLOR_PAIRS; }
static inline int mapitop_colors(void) { return COLORS; }
static inline int mapitop_key_f(int n) { return KEY_F(n); }

/* libc's width of one character, the one ncurses lays text out with. <wchar.h> declares
   it only under _XOPEN_SOURCE, which Swift's Glibc module was not built with. */
int wcwidth(wchar_t c);
static inline int mapitop_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

#endif

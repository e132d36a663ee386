/*
 * Minimal unit-test harness: CHECK() records a pass or a failure with the
 * expression and location; check_summary() prints "N passed, N failed".
 */
#ifndef DD_TESTS_CHECK_H
#define DD_TESTS_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...) do {                                        \
        if (cond) {                                                  \
            check_passed++;                                          \
        } else {                                                     \
            check_failed++;                                          \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__,  \
                    #cond);                                          \
            fprintf(stderr, __VA_ARGS__);                            \
            fputc('\n', stderr);                                     \
        }                                                            \
    } while (0)

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif /* DD_TESTS_CHECK_H */

#ifndef VB_UTIL_TIMEFMT_H
#define VB_UTIL_TIMEFMT_H

#include <stdint.h>
#include <time.h>

/* "2025-04-17T19:46:21Z" (settings files). buf >= 21 bytes. */
char *vb_time_settings(time_t t, char *buf, size_t size);
/* Parse the settings format; 0 or -EINVAL. */
int vb_time_parse_settings(const char *s, time_t *out);
/* "2025-04-17T19:46:21.000000000Z" (VMStateChangeTime). */
char *vb_time_iso_ns(int64_t ns, char *buf, size_t size);
/* "2025-04-17T19:46:21.123Z" (guestproperty enumerate). */
char *vb_time_iso_ms(int64_t ns, char *buf, size_t size);
/* Nanoseconds since the epoch, now (CLOCK_REALTIME). */
int64_t vb_now_ns(void);
/* Monotonic milliseconds. */
int64_t vb_mono_ms(void);

#endif

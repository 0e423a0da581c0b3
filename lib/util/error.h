/*
 * Error reporting for the library.
 *
 * Library functions return 0 or a negative errno.  When the caller passes a
 * struct vb_error, the function also fills in a human message and the
 * VirtualBox result code that VirtualBox would report for the same failure,
 * so that the front end can print VirtualBox's "Details:" line.  The library
 * never prints and never exits.
 */
#ifndef VB_UTIL_ERROR_H
#define VB_UTIL_ERROR_H

#include <stdarg.h>
#include <stdint.h>

/* VirtualBox / XPCOM result codes (values as in the VirtualBox API). */
#define VBOX_E_OBJECT_NOT_FOUND       0x80bb0001u
#define VBOX_E_INVALID_VM_STATE       0x80bb0002u
#define VBOX_E_VM_ERROR               0x80bb0003u
#define VBOX_E_FILE_ERROR             0x80bb0004u
#define VBOX_E_IPRT_ERROR             0x80bb0005u
#define VBOX_E_PDM_ERROR              0x80bb0006u
#define VBOX_E_INVALID_OBJECT_STATE   0x80bb0007u
#define VBOX_E_HOST_ERROR             0x80bb0008u
#define VBOX_E_NOT_SUPPORTED          0x80bb0009u
#define VBOX_E_XML_ERROR              0x80bb000au
#define VBOX_E_INVALID_SESSION_STATE  0x80bb000bu
#define VBOX_E_OBJECT_IN_USE          0x80bb000cu
#define VBOX_E_PASSWORD_INCORRECT     0x80bb000du
#define VBOX_E_MAXIMUM_REACHED        0x80bb000eu
#define VBOX_E_GSTCTL_GUEST_ERROR     0x80bb000fu
#define VBOX_E_TIMEOUT                0x80bb0010u
#define VBOX_E_DND_ERROR              0x80bb0011u
#define VB_E_NOTIMPL                  0x80004001u
#define VB_E_POINTER                  0x80004003u
#define VB_E_FAIL                     0x80004005u
#define VB_E_ACCESSDENIED             0x80070005u
#define VB_E_OUTOFMEMORY              0x8007000eu
#define VB_E_INVALIDARG               0x80070057u
#define VB_E_UNEXPECTED               0x8000ffffu

#define VB_ERROR_MSG_MAX 4096

struct vb_error {
	uint32_t hrc;           /* result code, 0 when none was set */
	int errnum;             /* positive errno of the failure */
	char msg[VB_ERROR_MSG_MAX]; /* message, may hold several lines */
	const char *component;  /* e.g. "VirtualBoxWrap" (static string) */
	const char *iface;      /* e.g. "IVirtualBox" (static string) */
	const char *callee;     /* e.g. "nsISupports" or NULL */
};

/*
 * Record an error and return -errnum, so a function can end with
 * "return vb_err(err, ENOENT, VBOX_E_OBJECT_NOT_FOUND, "...", ...);".
 * err may be NULL.  An error already recorded is replaced.
 */
int vb_err(struct vb_error *err, int errnum, uint32_t hrc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int vb_verr(struct vb_error *err, int errnum, uint32_t hrc, const char *fmt,
	    va_list ap) __attribute__((format(printf, 4, 0)));

/* Prefix the recorded message with a further line of context. */
void vb_err_prefix(struct vb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Set the component/interface names VirtualBox shows in "Details:". */
void vb_err_where(struct vb_error *err, const char *component,
		  const char *iface, const char *callee);

void vb_err_clear(struct vb_error *err);

/* Name of a result code as VirtualBox on Linux prints it, e.g.
 * "VBOX_E_OBJECT_NOT_FOUND" or "NS_ERROR_INVALID_ARG". */
const char *vb_hrc_name(uint32_t hrc);

#endif

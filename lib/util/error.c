/*
 * Error records.  Names follow what VirtualBox prints on Linux hosts, where
 * COM is XPCOM: generic codes carry their NS_ERROR_* spellings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util/error.h"

int vb_verr(struct vb_error *err, int errnum, uint32_t hrc, const char *fmt,
	    va_list ap)
{
	if (errnum <= 0)
		errnum = EIO;
	if (err) {
		err->hrc = hrc;
		err->errnum = errnum;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return -errnum;
}

int vb_err(struct vb_error *err, int errnum, uint32_t hrc, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vb_verr(err, errnum, hrc, fmt, ap);
	va_end(ap);
	return rc;
}

void vb_err_prefix(struct vb_error *err, const char *fmt, ...)
{
	char head[VB_ERROR_MSG_MAX];
	char old[VB_ERROR_MSG_MAX];
	size_t len;
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	len = strlen(head);
	if (len >= sizeof(err->msg) - 1)
		len = sizeof(err->msg) - 2;
	memcpy(err->msg, head, len);
	if (old[0]) {
		size_t rest = sizeof(err->msg) - len - 2;
		size_t ol = strlen(old);

		err->msg[len++] = '\n';
		if (ol > rest)
			ol = rest;
		memcpy(err->msg + len, old, ol);
		len += ol;
	}
	err->msg[len] = '\0';
}

void vb_err_where(struct vb_error *err, const char *component,
		  const char *iface, const char *callee)
{
	if (!err)
		return;
	err->component = component;
	err->iface = iface;
	err->callee = callee;
}

void vb_err_clear(struct vb_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static const struct {
	uint32_t hrc;
	const char *name;
} hrc_names[] = {
	{ VBOX_E_OBJECT_NOT_FOUND, "VBOX_E_OBJECT_NOT_FOUND" },
	{ VBOX_E_INVALID_VM_STATE, "VBOX_E_INVALID_VM_STATE" },
	{ VBOX_E_VM_ERROR, "VBOX_E_VM_ERROR" },
	{ VBOX_E_FILE_ERROR, "VBOX_E_FILE_ERROR" },
	{ VBOX_E_IPRT_ERROR, "VBOX_E_IPRT_ERROR" },
	{ VBOX_E_PDM_ERROR, "VBOX_E_PDM_ERROR" },
	{ VBOX_E_INVALID_OBJECT_STATE, "VBOX_E_INVALID_OBJECT_STATE" },
	{ VBOX_E_HOST_ERROR, "VBOX_E_HOST_ERROR" },
	{ VBOX_E_NOT_SUPPORTED, "VBOX_E_NOT_SUPPORTED" },
	{ VBOX_E_XML_ERROR, "VBOX_E_XML_ERROR" },
	{ VBOX_E_INVALID_SESSION_STATE, "VBOX_E_INVALID_SESSION_STATE" },
	{ VBOX_E_OBJECT_IN_USE, "VBOX_E_OBJECT_IN_USE" },
	{ VBOX_E_PASSWORD_INCORRECT, "VBOX_E_PASSWORD_INCORRECT" },
	{ VBOX_E_MAXIMUM_REACHED, "VBOX_E_MAXIMUM_REACHED" },
	{ VBOX_E_GSTCTL_GUEST_ERROR, "VBOX_E_GSTCTL_GUEST_ERROR" },
	{ VBOX_E_TIMEOUT, "VBOX_E_TIMEOUT" },
	{ VBOX_E_DND_ERROR, "VBOX_E_DND_ERROR" },
	{ VB_E_NOTIMPL, "NS_ERROR_NOT_IMPLEMENTED" },
	{ VB_E_POINTER, "NS_ERROR_NULL_POINTER" },
	{ VB_E_FAIL, "NS_ERROR_FAILURE" },
	{ VB_E_ACCESSDENIED, "E_ACCESSDENIED" },
	{ VB_E_OUTOFMEMORY, "NS_ERROR_OUT_OF_MEMORY" },
	{ VB_E_INVALIDARG, "NS_ERROR_INVALID_ARG" },
	{ VB_E_UNEXPECTED, "NS_ERROR_UNEXPECTED" },
};

const char *vb_hrc_name(uint32_t hrc)
{
	size_t i;

	for (i = 0; i < sizeof(hrc_names) / sizeof(hrc_names[0]); i++)
		if (hrc_names[i].hrc == hrc)
			return hrc_names[i].name;
	return "NS_ERROR_FAILURE";
}

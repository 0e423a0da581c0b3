/*
 * Intel 440FX PCI and memory controller (PMC), function 00:00.0, and the
 * PCI bus it hosts.
 *
 * Spec: Intel 440FX PCIset datasheet (82441FX): vendor 8086, device 1237,
 * revision 02, class 06/00; PAM registers 0x59-0x5f (shadow RAM control
 * of 0xc0000-0xfffff), SMRAM 0x72.
 *
 * The VMM keeps 0xc0000-0xfffff as ordinary RAM (it reloads the BIOS
 * there on every reset), so PAM and SMRAM are storage only: SeaBIOS reads
 * back what it wrote and finds its shadow copy writable, as it expects.
 */
#include <errno.h>
#include <stdlib.h>

#include "lib/devices/pci.h"

struct i440fx {
	struct device dev;
	struct pci_func pci;
};

static void i440fx_reset(struct device *d)
{
	struct i440fx *h = DEV_CONTAINER(d, struct i440fx, dev);

	pci_func_reset(&h->pci);
}

static void i440fx_release(struct device *d)
{
	free(DEV_CONTAINER(d, struct i440fx, dev));
}

static const struct device_ops i440fx_ops = {
	.reset = i440fx_reset, .release = i440fx_release,
};

int i440fx_create(struct board *b, const struct board_config *cfg)
{
	struct i440fx *h;
	int rc;

	(void)cfg;
	rc = pci_bus_create(b);
	if (rc)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	dev_register(b, &h->dev, "i440fx", &i440fx_ops);
	pci_func_init(&h->pci, "i440fx", PCI_DEVFN(0, 0), 0x8086, 0x1237, 0x02,
		      0x060000, 0x00, 0);
	h->pci.wmask[0x04] = 0x06;      /* memory, bus master */
	h->pci.wmask[0x05] = 0x00;
	h->pci.wmask[0x3c] = 0x00;
	pci_cfg_writable(&h->pci, 0x50, 0x10);  /* PMCCFG .. PAM6 */
	pci_cfg_writable(&h->pci, 0x72, 1);     /* SMRAM */
	h->pci.cfg[0x06] = 0x80;                /* fast back-to-back */
	h->pci.cfg[0x72] = 0x02;
	return pci_func_register(b, &h->pci);
}

/*
 * PIIX4 power management function (ACPI), 00:07.0 as VirtualBox places
 * it, with the APM control ports 0xb2/0xb3 and the GPE0 block that
 * SeaBIOS's built-in FADT names (0xafe0).
 *
 * Spec: Intel 82371AB (PIIX4) datasheet 3.4 (function 3 configuration:
 * PMBA 0x40, DEVACTB 0x58, PMREGMISC 0x80, SMBBA 0x90) and 7.2 (PM I/O
 * space: PM1 status/enable/control, the 24-bit PM timer at 3.579545 MHz);
 * ACPI 1.0b 4.7 (fixed events, SCI, SLP_TYP/SLP_EN).
 *
 * SeaBIOS decides whether to set up SMM from DEVACTB bit 25 (APMC_EN):
 * we have no SMM, so the bit is preset, as QEMU does without SMM.
 * Sleep type 0 (S5 in SeaBIOS's DSDT) and 5 (S5 in VirtualBox's) power
 * the machine off; other sleep states are logged and ignored.
 *
 * Limits: no SMBus controller behind SMBBA; GPE status bits never set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/devices/pci.h"

#define PM_TMR_HZ 3579545ull
#define PM_SCI_IRQ 9

#define STS_TMR    0x0001
#define STS_BM     0x0010
#define STS_GBL    0x0020
#define STS_PWRBTN 0x0100
#define STS_RTC    0x0400
#define STS_WAK    0x8000
#define CNT_SCI_EN 0x0001
#define CNT_SLP_EN 0x2000

struct pm {
	struct device dev;
	struct pci_func pci;
	uint16_t sts, en, cnt;
	uint16_t gpe_sts, gpe_en;
	uint8_t apmc, apms;
	bool sci;
	int irq_src;
	struct dtimer tmr;
	struct io_region io, apm, gpe;
};

static uint32_t pm_timer(struct pm *pm)
{
	uint64_t ns = dev_clock_ns(pm->dev.board);

	return (uint32_t)((unsigned __int128)ns * PM_TMR_HZ / 1000000000ull) &
	       0xffffff;
}

static void pm_update_sci(struct pm *pm)
{
	bool level = (pm->cnt & CNT_SCI_EN) &&
		     (pm->sts & pm->en & (STS_TMR | STS_GBL | STS_PWRBTN | STS_RTC));

	if (level != pm->sci) {
		pm->sci = level;
		irq_isa_set(pm->dev.board, PM_SCI_IRQ, pm->irq_src, level);
	}
}

/* The timer status bit is set whenever bit 23 of the counter toggles. */
static void pm_arm_tmr(struct pm *pm)
{
	uint64_t ns, ticks, next;

	if (!(pm->en & STS_TMR)) {
		dtimer_del(pm->dev.board, &pm->tmr);
		return;
	}
	ns = dev_clock_ns(pm->dev.board);
	ticks = (uint64_t)((unsigned __int128)ns * PM_TMR_HZ / 1000000000ull);
	next = ((ticks >> 23) + 1) << 23;
	dtimer_mod(pm->dev.board, &pm->tmr,
		   (uint64_t)(((unsigned __int128)next * 1000000000ull +
			       PM_TMR_HZ - 1) / PM_TMR_HZ));
}

static void pm_tmr_cb(void *opaque)
{
	struct pm *pm = opaque;

	pm->sts |= STS_TMR;
	pm_update_sci(pm);
	pm_arm_tmr(pm);
}

static void pm_cnt_write(struct pm *pm, uint16_t v)
{
	unsigned typ = (v >> 10) & 7;

	pm->cnt = v & (uint16_t)~CNT_SLP_EN;
	if (v & CNT_SLP_EN) {
		if (typ == 0 || typ == 5) {
			dev_log(pm->dev.board, "ACPI: guest entered S5 (SLP_TYP=%u), powering off",
				typ);
			board_request_poweroff(pm->dev.board);
		} else {
			dev_log(pm->dev.board, "ACPI: guest requested sleep type %u, which this machine does not support; ignored",
				typ);
			pm->sts |= STS_WAK;
		}
	}
	pm_update_sci(pm);
}

static uint8_t pm_byte(struct pm *pm, unsigned off, uint32_t tmr)
{
	uint16_t v;

	switch (off & ~1u) {
	case 0x00:
		v = pm->sts;
		break;
	case 0x02:
		v = pm->en;
		break;
	case 0x04:
		v = pm->cnt;
		break;
	case 0x08:
		v = (uint16_t)tmr;
		break;
	case 0x0a:
		v = (uint16_t)(tmr >> 16);
		break;
	default:
		return 0;
	}
	return (off & 1) ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static uint64_t pm_io_read(void *opaque, uint64_t off, unsigned size)
{
	struct pm *pm = opaque;
	uint32_t tmr = pm_timer(pm);
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)pm_byte(pm, (unsigned)off + i, tmr) << (8 * i);
	return v;
}

static void pm_write16(struct pm *pm, unsigned off, uint16_t v)
{
	switch (off) {
	case 0x00:
		pm->sts &= (uint16_t)~v;
		pm_update_sci(pm);
		break;
	case 0x02:
		pm->en = v & (STS_TMR | STS_GBL | STS_PWRBTN | STS_RTC);
		pm_arm_tmr(pm);
		pm_update_sci(pm);
		break;
	case 0x04:
		pm_cnt_write(pm, v);
		break;
	default:
		break;
	}
}

static void pm_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct pm *pm = opaque;
	unsigned o = (unsigned)off;

	if (size == 4) {
		pm_write16(pm, o, (uint16_t)val);
		pm_write16(pm, o + 2, (uint16_t)(val >> 16));
	} else if (size == 2) {
		pm_write16(pm, o, (uint16_t)val);
	} else if (o < 2) {
		/* Status is write-1-to-clear: the other byte stays. */
		pm_write16(pm, 0, (uint16_t)((val & 0xff) << (8 * (o & 1))));
	} else {
		uint16_t cur = (uint16_t)pm_io_read(pm, o & ~1u, 2);

		if (o & 1)
			cur = (uint16_t)((cur & 0x00ff) | ((val & 0xff) << 8));
		else
			cur = (uint16_t)((cur & 0xff00) | (val & 0xff));
		pm_write16(pm, o & ~1u, cur);
	}
}

static const struct io_ops pm_io_ops = {
	.read = pm_io_read, .write = pm_io_write,
	.sizes = IO_SZ1 | IO_SZ2 | IO_SZ4,
};

static uint64_t apm_read(void *opaque, uint64_t off, unsigned size)
{
	struct pm *pm = opaque;

	(void)size;
	return off == 0 ? pm->apmc : pm->apms;
}

static void apm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct pm *pm = opaque;

	(void)size;
	if (off == 1) {
		pm->apms = (uint8_t)val;
		return;
	}
	pm->apmc = (uint8_t)val;
	/* SeaBIOS's FADT: ACPI_ENABLE 0xf1, ACPI_DISABLE 0xf0. */
	if (val == 0xf1)
		pm->cnt |= CNT_SCI_EN;
	else if (val == 0xf0)
		pm->cnt &= (uint16_t)~CNT_SCI_EN;
	pm_update_sci(pm);
}

static const struct io_ops apm_ops = {
	.read = apm_read, .write = apm_write, .sizes = IO_SZ1,
};

static uint64_t gpe_read(void *opaque, uint64_t off, unsigned size)
{
	struct pm *pm = opaque;
	uint16_t v = off < 2 ? pm->gpe_sts : pm->gpe_en;

	(void)size;
	return (off & 1) ? v >> 8 : v & 0xff;
}

static void gpe_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct pm *pm = opaque;
	unsigned sh = (off & 1) ? 8 : 0;

	(void)size;
	if (off < 2)
		pm->gpe_sts &= (uint16_t)~((val & 0xff) << sh);
	else
		pm->gpe_en = (uint16_t)((pm->gpe_en & ~(0xff << sh)) |
					((val & 0xff) << sh));
}

static const struct io_ops gpe_ops = {
	.read = gpe_read, .write = gpe_write, .sizes = IO_SZ1,
};

static void pm_map(struct pm *pm)
{
	uint32_t base = pci_cfg_get32(&pm->pci, 0x40) & 0xffc0;
	struct board *b = pm->dev.board;

	if ((pm->pci.cfg[0x80] & 1) && base) {
		if (io_region_map(b, &pm->io, base, 64) < 0) {
			dev_log(b, "ACPI: PM I/O base %#x overlaps another device", base);
			io_region_unmap(b, &pm->io);
		}
	} else {
		io_region_unmap(b, &pm->io);
	}
}

static void pm_cfg_written(struct pci_func *f, unsigned off, unsigned size)
{
	struct pm *pm = DEV_CONTAINER(f, struct pm, pci);

	if ((off < 0x44 && off + size > 0x40) || (off <= 0x80 && off + size > 0x80))
		pm_map(pm);
}

void pm_power_button(struct device *d)
{
	struct pm *pm = DEV_CONTAINER(d, struct pm, dev);

	pm->sts |= STS_PWRBTN;
	pm_update_sci(pm);
}

static void pm_reset(struct device *d)
{
	struct pm *pm = DEV_CONTAINER(d, struct pm, dev);

	pci_func_reset(&pm->pci);
	pm->sts = pm->en = pm->cnt = 0;
	pm->gpe_sts = pm->gpe_en = 0;
	pm->apmc = pm->apms = 0;
	dtimer_del(d->board, &pm->tmr);
	if (pm->sci) {
		pm->sci = false;
		irq_isa_set(d->board, PM_SCI_IRQ, pm->irq_src, false);
	}
	io_region_unmap(d->board, &pm->io);
}

static void pm_release(struct device *d)
{
	struct pm *pm = DEV_CONTAINER(d, struct pm, dev);

	dtimer_del(d->board, &pm->tmr);
	free(pm);
}

static const struct device_ops pm_dev_ops = {
	.reset = pm_reset, .release = pm_release,
};

int pm_create(struct board *b, const struct board_config *cfg)
{
	struct pm *pm;
	int rc;

	if (!cfg->acpi)
		return 0;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	dev_register(b, &pm->dev, "acpi", &pm_dev_ops);
	dtimer_init(&pm->tmr, pm_tmr_cb, pm);
	pm->irq_src = irq_source_new(b);
	pci_func_init(&pm->pci, "acpi", PCI_DEVFN(7, 0), 0x8086, 0x7113, 0x08,
		      0x068000, 0x00, 1);
	pm->pci.cfg_written = pm_cfg_written;
	dev_put_le32(&pm->pci.cfg[0x40], 0x00000001);   /* PMBA, I/O */
	pm->pci.wmask[0x40] = 0xc0;
	pm->pci.wmask[0x41] = 0xff;
	/* DEVACTB: APMC_EN preset (no SMM), the rest storage. */
	pci_cfg_writable(&pm->pci, 0x58, 4);
	pm->pci.cfg[0x5b] = 0x02;
	pci_cfg_writable(&pm->pci, 0x5c, 4);
	pm->pci.wmask[0x80] = 0x01;                     /* PMREGMISC */
	dev_put_le32(&pm->pci.cfg[0x90], 0x00000001);   /* SMBBA */
	pm->pci.wmask[0x90] = 0xf0;
	pm->pci.wmask[0x91] = 0xff;
	pm->pci.wmask[0xd2] = 0x0f;
	rc = pci_func_register(b, &pm->pci);
	if (rc)
		return rc;
	io_region_init(&pm->io, "acpi pm", &pm_io_ops, pm, IO_SPACE_PORT);
	io_region_init(&pm->apm, "apm", &apm_ops, pm, IO_SPACE_PORT);
	io_region_init(&pm->gpe, "acpi gpe0", &gpe_ops, pm, IO_SPACE_PORT);
	rc = io_region_map(b, &pm->apm, 0xb2, 2);
	if (!rc)
		rc = io_region_map(b, &pm->gpe, 0xafe0, 4);
	if (rc)
		return rc;
	board_set_pm(b, &pm->dev);
	return 0;
}

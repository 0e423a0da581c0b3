/*
 * The import engine: IAppliance::read and IAppliance::importMachines of
 * VirtualBox 7.0 (ApplianceImplImport.cpp), offline.
 *
 * Reading takes the descriptor (of an .ova: the first .ovf entry) and the
 * manifest; every entry of an .ova is checked on the way (plain files with
 * plain names only).  Importing then works in three steps so that a bad
 * package leaves nothing behind:
 *
 *   1. the final names and paths are settled and checked (a settings file
 *      or disk that exists already is an error);
 *   2. the disk files are located -- extracted from an .ova into a
 *      temporary folder -- and digested; the manifest is verified;
 *   3. disks are converted (each refused when it is larger than the
 *      capacity the descriptor declares), machines written and registered.
 *
 * Any failure removes what was created (disks, settings files, folders)
 * and unregisters machines registered on the way.
 *
 * Machines with <vbox:Machine> are restored from it (new UUID, name, MAC
 * addresses unless kept, disks replaced by the imported ones); others are
 * built as VirtualBox's generic import builds them (controllers named
 * "IDE", "SATA", "SCSI"..., adapters, audio, USB, CD-ROM on IDE 1:0).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "cmd/vboxmanage/appliance.h"
#include "lib/settings/hwmodel.h"
#include "lib/settings/newvm.h"
#include "lib/settings/snapshot.h"
#include "lib/util/checked.h"
#include "lib/util/fileio.h"
#include "lib/util/path.h"
#include "lib/util/strbuf.h"

static int oom(struct vb_error *err)
{
	return vb_err(err, ENOMEM, VB_E_OUTOFMEMORY, "Out of memory");
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static bool has_suffix_ci(const char *name, const char *sfx)
{
	size_t n = strlen(name), s = strlen(sfx);

	return n >= s && !strcasecmp(name + n - s, sfx);
}

static char *stem_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? strndup(name, (size_t)(dot - name)) : strdup(name);
}

static int read_entry(struct ova_reader *r, uint64_t size, uint64_t max,
		      const char *what, char **data, size_t *len,
		      struct vb_error *err)
{
	char *buf;
	size_t got = 0;

	if (size > max)
		return vb_err(err, EFBIG, VBOX_E_FILE_ERROR,
			      "The %s in the OVA is too large (%llu bytes)",
			      what, (unsigned long long)size);
	buf = malloc((size_t)size + 1);
	if (!buf)
		return oom(err);
	while (got < size) {
		ssize_t n = ova_read(r, buf + got, (size_t)size - got, err);

		if (n < 0) {
			free(buf);
			return (int)n;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

static int digest_buffer(struct app_package *p, const char *name,
			 const void *data, size_t len, struct vb_error *err)
{
	struct ova_hash *h;
	char hex[OVA_HEX_MAX];
	int d;

	if (!p->has_mf || !p->digests)
		return 0;
	h = ova_hash_new(p->digests);
	if (!h)
		return oom(err);
	ova_hash_update(h, data, len);
	for (d = 0; d < OVA_NDIGESTS; d++) {
		if (!(p->digests & OVA_DIGEST_BIT(d)))
			continue;
		ova_hash_hex(h, (enum ova_digest)d, hex);
		if (ova_manifest_add(&p->ours, name, (enum ova_digest)d, hex)) {
			ova_hash_free(h);
			return oom(err);
		}
	}
	ova_hash_free(h);
	return 0;
}

int app_package_read(const char *path, struct app_package *p,
		     struct vb_error *err)
{
	char *ovf = NULL, *mf = NULL, *stem = NULL;
	size_t ovf_len = 0, mf_len = 0;
	char *mf_name = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	p->path = strdup(path);
	p->dir = path_dirname(path);
	p->ova = has_suffix_ci(path, ".ova");
	if (!p->path || !p->dir)
		return oom(err);
	if (!p->ova) {
		if (!path_is_file(path))
			return vb_err(err, ENOENT, VBOX_E_FILE_ERROR,
				      "Failed to open OVF file '%s' (%s)", path,
				      path_exists(path) ? "VERR_IS_A_DIRECTORY"
							: "VERR_FILE_NOT_FOUND");
		rc = vb_read_file(path, OVF_MAX_DESCRIPTOR, &ovf, &ovf_len,
				  err);
		if (rc) {
			err->hrc = VBOX_E_FILE_ERROR;
			return rc;
		}
		p->ovf_name = strdup(path_basename(path));
		stem = stem_of(path);
		mf_name = stem ? vb_asprintf("%s.mf", stem) : NULL;
		if (!p->ovf_name || !mf_name) {
			rc = oom(err);
			goto out;
		}
		if (path_exists(mf_name)) {
			rc = vb_read_file(mf_name, 16u << 20, &mf, &mf_len,
					  err);
			if (rc)
				goto out;
			free(stem);
			stem = strdup(path_basename(mf_name));
			free(mf_name);
			mf_name = stem;
			stem = NULL;
		}
	} else {
		struct ova_reader *r;
		const char *name;
		uint64_t size;
		char *ovf_stem = NULL;

		rc = ova_open(path, &r, err);
		if (rc)
			return rc;
		/* every entry is looked at: a package with a hostile entry
		 * is refused before anything is created */
		while ((rc = ova_next(r, &name, &size, err)) > 0) {
			bool is_ovf = has_suffix_ci(name, ".ovf");
			bool is_mf = has_suffix_ci(name, ".mf");
			char *s;

			if (!is_ovf && !is_mf)
				continue;
			s = stem_of(name);
			if (!s) {
				rc = oom(err);
				break;
			}
			if (is_ovf && !ovf) {
				rc = read_entry(r, size, OVF_MAX_DESCRIPTOR,
						"descriptor", &ovf, &ovf_len,
						err);
				p->ovf_name = strdup(name);
				ovf_stem = s;
				s = NULL;
				if (!rc && !p->ovf_name)
					rc = oom(err);
			} else if (is_mf && !mf &&
				   (!ovf_stem || !strcasecmp(s, ovf_stem))) {
				rc = read_entry(r, size, 16u << 20, "manifest",
						&mf, &mf_len, err);
				mf_name = strdup(name);
				if (!rc && !mf_name)
					rc = oom(err);
			}
			free(s);
			if (rc)
				break;
		}
		free(ovf_stem);
		ova_close(r);
		if (rc < 0)
			goto out;
		if (!ovf) {
			rc = vb_err(err, ENOENT, VBOX_E_FILE_ERROR,
				    "OVA '%s' does not contain an .ovf-file",
				    path);
			goto out;
		}
	}
	rc = ovf_parse(ovf, ovf_len, path, &p->env, err);
	if (rc)
		goto out;
	if (mf) {
		rc = ova_manifest_parse(mf, mf_len, mf_name, path, &p->mf,
					err);
		if (rc)
			goto out;
		p->has_mf = true;
		p->digests = ova_manifest_types(&p->mf);
		rc = digest_buffer(p, p->ovf_name, ovf, ovf_len, err);
	}
out:
	free(ovf);
	free(mf);
	free(mf_name);
	free(stem);
	return rc;
}

void app_package_release(struct app_package *p)
{
	free(p->path);
	free(p->dir);
	free(p->ovf_name);
	ovf_free(p->env);
	ova_manifest_release(&p->mf);
	ova_manifest_release(&p->ours);
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------------ */
/* Import                                                              */

/* A disk to bring in. */
struct job {
	unsigned vsys, entry;
	const struct ovf_disk *disk;
	char *src;                  /* file to read (package or temp) */
	bool temp;                  /* src is ours to delete */
	char *target;               /* absolute target path */
	bool dvd;                   /* copied as a raw (ISO) image */
	struct vb_uuid uuid;        /* of the imported medium */
	char *format;               /* registry format string */
	bool done;
};

struct sysinfo {
	char *name, *ostype, *settings, *folder, *group, *description;
	uint32_t cpus;
	uint64_t memory;
	struct machine *m;
	bool registered;
};

struct imp {
	struct vbm_ctx *ctx;
	struct vbox *vb;
	struct app_package *p;
	struct vsd *vsds;
	unsigned opts;
	struct vbm_progress *pr;
	struct vb_error *err;
	struct sysinfo *sys;
	struct job *jobs;
	unsigned n_jobs;
	struct app_files created;
	char *tmpdir;
	uint64_t total_mb, done_mb;
};

static const char *final_of(struct vsd *d, enum vsd_type t)
{
	int i = vsd_find(d, t);

	return i >= 0 ? d->e[i].vbox : NULL;
}

static bool is_raw_target(const char *path)
{
	const char *x = path_ext(path);

	return x && (!strcasecmp(x, ".iso") || !strcasecmp(x, ".cdr") ||
		     !strcasecmp(x, ".img"));
}

static bool changed(struct vsd *d, enum vsd_type t)
{
	int i = vsd_find(d, t);

	return i >= 0 && d->e[i].orig && strcmp(d->e[i].orig, d->e[i].vbox);
}

/* Step 1: names and paths. */
static int settle(struct imp *im)
{
	unsigned i, k;

	for (i = 0; i < im->p->env->n_systems; i++) {
		struct vsd *d = &im->vsds[i];
		struct sysinfo *s = &im->sys[i];
		int si = vsd_find(d, VSD_SETTINGS_FILE);
		const char *base = final_of(d, VSD_BASE_FOLDER);
		const char *v;
		char *suggested_folder = NULL;

		s->name = vb_strdup(final_of(d, VSD_NAME));
		s->ostype = vb_strdup(final_of(d, VSD_OS));
		s->group = vb_strdup(final_of(d, VSD_PRIMARY_GROUP));
		v = final_of(d, VSD_DESCRIPTION);
		s->description = v ? strdup(v) : NULL;
		v = final_of(d, VSD_CPU);
		s->cpus = v ? (uint32_t)strtoul(v, NULL, 10) : 1;
		v = final_of(d, VSD_MEMORY);
		s->memory = v ? strtoull(v, NULL, 10) : 0;
		if (!s->name || !s->ostype || !s->group || si < 0)
			return oom(im->err);
		/* a settings file that was not given follows the name, the
		 * group and the base folder */
		if (!d->e[si].orig &&
		    (changed(d, VSD_NAME) || changed(d, VSD_BASE_FOLDER) ||
		     changed(d, VSD_PRIMARY_GROUP))) {
			char *f = ovf_compose_machine_filename(im->vb, s->name,
								s->group, base);

			if (!f || vsd_set_vbox(d, (unsigned)si, f)) {
				free(f);
				return oom(im->err);
			}
			free(f);
		}
		s->settings = path_abs(d->e[si].vbox);
		s->folder = s->settings ? path_dirname(s->settings) : NULL;
		if (!s->folder)
			return oom(im->err);
		if (path_exists(s->settings))
			return vb_err(im->err, EEXIST, VBOX_E_FILE_ERROR,
				      "Machine settings file '%s' already exists",
				      s->settings);
		suggested_folder = d->e[si].orig ? path_dirname(d->e[si].orig)
						 : NULL;
		/* disks */
		for (k = 0; k < d->n; k++) {
			struct vsd_entry *e = &d->e[k];
			struct job *j;

			if (e->type != VSD_HD_IMAGE || !e->enabled)
				continue;
			j = realloc(im->jobs, (im->n_jobs + 1) * sizeof(*j));
			if (!j) {
				free(suggested_folder);
				return oom(im->err);
			}
			im->jobs = j;
			j = &j[im->n_jobs++];
			memset(j, 0, sizeof(*j));
			j->vsys = i;
			j->entry = k;
			j->disk = ovf_find_disk(im->p->env, e->ref);
			if (!j->disk) {
				free(suggested_folder);
				return vb_err(im->err, ENOENT, VB_E_FAIL,
					      "Internal inconsistency looking up disk image '%s'",
					      e->ref);
			}
			/* a suggested target moves along with the machine
			 * folder; one given with --disk stays */
			if (!e->pinned && suggested_folder) {
				char *dir = path_dirname(e->vbox);

				if (dir && !strcmp(dir, suggested_folder)) {
					char *t = vb_asprintf("%s/%s", s->folder,
							      path_basename(e->vbox));

					if (!t || vsd_set_vbox(d, k, t)) {
						free(t);
						free(dir);
						free(suggested_folder);
						return oom(im->err);
					}
					free(t);
				}
				free(dir);
			}
			j->target = path_abs(e->vbox);
			if (!j->target) {
				free(suggested_folder);
				return oom(im->err);
			}
			j->dvd = is_raw_target(j->target);
			if (path_exists(j->target)) {
				free(suggested_folder);
				return vb_err(im->err, EEXIST, VBOX_E_FILE_ERROR,
					      "Cannot create the medium storage unit '%s': the file exists (VERR_ALREADY_EXISTS)",
					      j->target);
			}
			im->total_mb += j->disk->suggested_mb;
		}
		free(suggested_folder);
	}
	return 0;
}

static int make_folder(struct imp *im, const char *dir)
{
	int rc;

	if (path_is_dir(dir))
		return 0;
	rc = path_mkdirs(dir, 0755);
	if (rc)
		return vb_err(im->err, -rc, VBOX_E_FILE_ERROR,
			      "Could not create the directory '%s' (%s)", dir,
			      strerror(-rc));
	return app_files_add(&im->created, dir) ? oom(im->err) : 0;
}

static int add_digests(struct imp *im, const char *name, struct ova_hash *h)
{
	char hex[OVA_HEX_MAX];
	int d;

	for (d = 0; d < OVA_NDIGESTS; d++) {
		if (!(im->p->digests & OVA_DIGEST_BIT(d)))
			continue;
		ova_hash_hex(h, (enum ova_digest)d, hex);
		if (ova_manifest_add(&im->p->ours, name, (enum ova_digest)d,
				     hex))
			return oom(im->err);
	}
	return 0;
}

static struct job *job_for_href(struct imp *im, const char *name)
{
	unsigned i;

	for (i = 0; i < im->n_jobs; i++)
		if (!im->jobs[i].src && im->jobs[i].disk->href &&
		    !strcasecmp(im->jobs[i].disk->href, name))
			return &im->jobs[i];
	return NULL;
}

/* Step 2: the files to read, digested; the manifest checked. */
static int locate(struct imp *im)
{
	bool mf = im->p->has_mf && im->p->digests;
	unsigned i;
	int rc = 0;

	if (im->p->ova) {
		struct ova_reader *r;
		const char *name;
		uint64_t size;

		if (!im->n_jobs)
			goto verify;
		rc = make_folder(im, im->sys[im->jobs[0].vsys].folder);
		if (rc)
			return rc;
		im->tmpdir = vb_asprintf("%s/.ova-import-XXXXXX",
					 im->sys[im->jobs[0].vsys].folder);
		if (!im->tmpdir || !mkdtemp(im->tmpdir)) {
			free(im->tmpdir);
			im->tmpdir = NULL;
			return vb_err(im->err, errno ? errno : ENOMEM,
				      VBOX_E_FILE_ERROR,
				      "Could not create a temporary folder for the import");
		}
		rc = ova_open(im->p->path, &r, im->err);
		if (rc)
			return rc;
		while ((rc = ova_next(r, &name, &size, im->err)) > 0) {
			struct job *j = job_for_href(im, name);
			struct ova_hash *h;
			char *tmp;

			if (!j)
				continue;
			tmp = vb_asprintf("%s/%u", im->tmpdir, (unsigned)(j - im->jobs));
			h = mf ? ova_hash_new(im->p->digests) : NULL;
			if (!tmp || (mf && !h)) {
				free(tmp);
				ova_hash_free(h);
				rc = oom(im->err);
				break;
			}
			rc = ova_extract(r, tmp, h, UINT64_MAX, im->err);
			if (!rc && mf)
				rc = add_digests(im, name, h);
			ova_hash_free(h);
			if (rc) {
				free(tmp);
				break;
			}
			j->src = tmp;
			j->temp = true;
			/* the same file for another disk: share it */
			for (i = 0; i < im->n_jobs; i++)
				if (!im->jobs[i].src && im->jobs[i].disk->href &&
				    !strcasecmp(im->jobs[i].disk->href, name) &&
				    !(im->jobs[i].src = strdup(tmp))) {
					rc = oom(im->err);
					break;
				}
			vbm_progress_update(im->pr, 10);
		}
		ova_close(r);
		if (rc < 0)
			return rc;
		for (i = 0; i < im->n_jobs; i++)
			if (!im->jobs[i].src)
				return vb_err(im->err, ENOENT, VBOX_E_FILE_ERROR,
					      "Unexpected end of OVA / internal error - missing '%s' (skipped %u)",
					      im->jobs[i].disk->href ?
					      im->jobs[i].disk->href : "", 0);
	} else {
		for (i = 0; i < im->n_jobs; i++) {
			struct job *j = &im->jobs[i];

			if (!j->disk->href)
				return vb_err(im->err, ENOENT, VBOX_E_FILE_ERROR,
					      "Disk '%s' of the appliance has no file",
					      j->disk->id);
			j->src = vb_asprintf("%s/%s", im->p->dir, j->disk->href);
			if (!j->src)
				return oom(im->err);
			if (!path_is_file(j->src))
				return vb_err(im->err, ENOENT, VBOX_E_FILE_ERROR,
					      "Error opening '%s' for reading (VERR_FILE_NOT_FOUND)",
					      j->src);
			if (mf) {
				struct ova_hash *h = ova_hash_new(im->p->digests);
				unsigned k;
				bool seen = false;

				for (k = 0; k < i; k++)
					if (!strcmp(im->jobs[k].src, j->src))
						seen = true;
				if (seen) {
					ova_hash_free(h);
					continue;
				}
				if (!h)
					return oom(im->err);
				rc = ova_hash_file(j->src, 0, UINT64_MAX, h,
						   im->err);
				if (!rc)
					rc = add_digests(im, j->disk->href, h);
				ova_hash_free(h);
				if (rc)
					return rc;
			}
		}
	}
verify:
	if (mf)
		return ova_manifest_verify(&im->p->mf, &im->p->ours,
					   im->p->ovf_name, im->err);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Step 3: disks                                                       */

struct dprog {
	struct imp *im;
	uint64_t weight;
};

static void disk_progress(void *ctx, unsigned pct)
{
	struct dprog *dp = ctx;
	struct imp *im = dp->im;
	uint64_t now = im->done_mb + dp->weight * pct / 100;

	vbm_progress_update(im->pr, (unsigned)(10 + now * 80 /
					       (im->total_mb ? im->total_mb
							     : 1)));
}

static int gunzip_to(struct imp *im, const char *src, const char *dst)
{
	gzFile gz = gzopen(src, "rb");
	const size_t bufsz = 1u << 20;
	char *buf = malloc(bufsz);
	int fd = -1, rc = 0, n;

	if (!gz || !buf) {
		rc = vb_err(im->err, gz ? ENOMEM : errno, VBOX_E_FILE_ERROR,
			    "Error opening '%s' for reading", src);
		goto out;
	}
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = vb_err(im->err, errno, VBOX_E_FILE_ERROR,
			    "Could not create the file '%s' (%s)", dst,
			    strerror(errno));
		goto out;
	}
	while ((n = gzread(gz, buf, (unsigned)bufsz)) > 0)
		if (vb_write_all(fd, buf, (size_t)n)) {
			rc = vb_err(im->err, errno, VBOX_E_FILE_ERROR,
				    "Could not write the file '%s'", dst);
			break;
		}
	if (!rc && n < 0)
		rc = vb_err(im->err, EIO, VBOX_E_FILE_ERROR,
			    "Error decompressing '%s'", src);
out:
	if (fd >= 0)
		close(fd);
	if (rc && fd >= 0)
		unlink(dst);
	if (gz)
		gzclose(gz);
	free(buf);
	return rc;
}

static int convert(struct imp *im, struct job *j)
{
	struct media_open_opts oo = { .flags = MEDIA_RDONLY | MEDIA_NO_PARENT };
	struct media_create_opts co = { 0 };
	struct medium *s = NULL, *d = NULL;
	struct dprog dp = { im, j->disk->suggested_mb };
	const char *src = j->src, *ext;
	char *unz = NULL;
	struct vb_uuid pu;
	int rc;

	rc = make_folder(im, im->sys[j->vsys].folder);
	if (rc)
		return rc;
	{
		char *dir = path_dirname(j->target);

		rc = dir ? make_folder(im, dir) : oom(im->err);
		free(dir);
		if (rc)
			return rc;
	}
	if (j->disk->compression && !strcasecmp(j->disk->compression, "gzip")) {
		unz = vb_asprintf("%s.gunzip-tmp", j->target);
		if (!unz)
			return oom(im->err);
		rc = gunzip_to(im, src, unz);
		if (rc) {
			free(unz);
			return rc;
		}
		src = unz;
	}
	if (vb_uuid_generate(&j->uuid)) {
		rc = vb_err(im->err, EIO, VB_E_FAIL, "Could not generate a UUID");
		goto out;
	}
	if (j->dvd) {
		rc = vb_copy_file(src, j->target, 0, im->err);
		if (!rc && app_files_add(&im->created, j->target))
			rc = oom(im->err);
		j->format = strdup("RAW");
		goto out;
	}
	ext = path_ext(j->target);
	if (!ext || !media_format_name(ext + 1) ||
	    !strcmp(media_format_name(ext + 1), "RAW")) {
		rc = vb_err(im->err, EINVAL, VBOX_E_NOT_SUPPORTED,
			    "Could not find a valid medium format for the target disk '%s'",
			    j->target);
		goto out;
	}
	co.format = media_format_name(ext + 1);
	j->format = strdup((im->opts & AI_IMPORTTOVDI) &&
			   !strcmp(co.format, "VDI") ? "vdi" : co.format);
	/* the source must be what the descriptor says it is: a VMDK
	 * declared as such is never probed into something else */
	oo.format = ovf_disk_format(j->disk);
	if (oo.format && !strcmp(oo.format, "RAW"))
		oo.format = NULL;
	rc = media_open_ex(src, &oo, &s, im->err);
	if (rc)
		goto out;
	if (!media_parent_uuid(s, &pu) && !vb_uuid_is_zero(&pu)) {
		rc = vb_err(im->err, EINVAL, VBOX_E_FILE_ERROR,
			    "The disk image '%s' of the appliance is a differencing image",
			    j->disk->href);
		goto out;
	}
	if (media_size(s) > j->disk->capacity_bytes) {
		rc = vb_err(im->err, EINVAL, VBOX_E_FILE_ERROR,
			    "The disk image '%s' is larger (%llu bytes) than the capacity the appliance declares for it (%llu bytes)",
			    j->disk->href, (unsigned long long)media_size(s),
			    (unsigned long long)j->disk->capacity_bytes);
		goto out;
	}
	co.variant = MEDIA_VARIANT_STANDARD;
	co.size = media_size(s);
	co.uuid = &j->uuid;
	media_clone_geometry(s, co.size, &co.pchs, &co.lchs);
	rc = media_create(j->target, &co, &d, im->err);
	if (rc)
		goto out;
	if (app_files_add(&im->created, j->target)) {
		rc = oom(im->err);
		goto out;
	}
	rc = media_copy(s, d, true, disk_progress, &dp, im->err);
out:
	if (d)
		media_close(d);
	if (s)
		media_close(s);
	if (unz) {
		unlink(unz);
		free(unz);
	}
	im->done_mb += dp.weight;
	if (!rc && !j->format)
		rc = oom(im->err);
	j->done = !rc;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Step 3: machines                                                    */

static struct job *job_of_entry(struct imp *im, unsigned vsys, unsigned k)
{
	unsigned i;

	for (i = 0; i < im->n_jobs; i++)
		if (im->jobs[i].vsys == vsys && im->jobs[i].entry == k)
			return &im->jobs[i];
	return NULL;
}

static int register_medium(struct imp *im, struct machine *m, struct job *j)
{
	struct snode *reg = mediareg_for_machine(m, true);
	char *loc = mediareg_location_for(machine_folder(m), j->target);
	int rc = 0;

	if (!reg || !loc ||
	    !mediareg_add(reg, j->dvd ? MR_DVD : MR_HDD, &j->uuid, loc,
			  j->dvd ? NULL : j->format, j->dvd ? NULL : "Normal",
			  NULL))
		rc = oom(im->err);
	free(loc);
	return rc;
}

static struct snode *add_controller(struct machine *m, const char *name,
				    const char *type, unsigned ports,
				    bool host_io_cache, bool sata)
{
	struct snode *scs = machine_elem(m, ME_STORAGE, true), *sc;

	if (!scs)
		return NULL;
	sc = snode_add(scs, "StorageController");
	if (!sc || snode_set_attr(sc, "name", name) ||
	    snode_set_attr(sc, "type", type) ||
	    snode_set_attrf(sc, "PortCount", "%u", ports) ||
	    snode_set_bool(sc, "useHostIOCache", host_io_cache) ||
	    snode_set_bool(sc, "Bootable", true))
		return NULL;
	if (sata && (snode_set_attr(sc, "IDE0MasterEmulationPort", "0") ||
		     snode_set_attr(sc, "IDE0SlaveEmulationPort", "1") ||
		     snode_set_attr(sc, "IDE1MasterEmulationPort", "2") ||
		     snode_set_attr(sc, "IDE1SlaveEmulationPort", "3")))
		return NULL;
	return sc;
}

static struct snode *attach(struct snode *sc, const char *type, unsigned port,
			    unsigned dev, const struct vb_uuid *img)
{
	struct snode *ad = snode_add(sc, "AttachedDevice"), *i;
	char ub[40];

	if (!ad)
		return NULL;
	if (!strcmp(type, "DVD") && snode_set_attr(ad, "passthrough", "false"))
		return NULL;
	if (snode_set_attr(ad, "type", type) ||
	    snode_set_attr(ad, "hotpluggable", "false") ||
	    snode_set_attrf(ad, "port", "%u", port) ||
	    snode_set_attrf(ad, "device", "%u", dev))
		return NULL;
	if (img) {
		i = snode_add(ad, "Image");
		if (!i || snode_set_attr(i, "uuid", vb_uuid_fmt_braced(img, ub)))
			return NULL;
	}
	return ad;
}

static const struct ovf_controller *ovf_ctl(const struct ovf_system *s,
					    const char *id)
{
	unsigned i;

	for (i = 0; i < s->n_ctls; i++)
		if (!strcmp(s->ctls[i].id, id))
			return &s->ctls[i];
	return NULL;
}

/* The generic import (no <vbox:Machine>). */
static int build_generic(struct imp *im, unsigned vsys, struct machine *m)
{
	struct vsd *d = &im->vsds[vsys];
	const struct ovf_system *os = &im->p->env->systems[vsys];
	const struct ostype *ot = ostype_find(im->sys[vsys].ostype);
	struct snode *ide = NULL, *ctl_node[64] = { 0 };
	unsigned k, nic = 0;
	int rc;

	/* CreateMachine(): the new machine's hardware for its OS type */
	rc = machine_init_new(m, ot, NULL, 0, im->err);
	if (rc)
		return rc;
	if (im->sys[vsys].description &&
	    hwm_set_description(m, im->sys[vsys].description))
		return oom(im->err);
	if (hwm_set_cpu_count(m, im->sys[vsys].cpus ? im->sys[vsys].cpus : 1,
			      im->err))
		return -EINVAL;
	if (hwm_set_u32(m, HWM_MEMORY,
			(uint32_t)(im->sys[vsys].memory >> 20)))
		return oom(im->err);
	if (ot && ot->vram_mb && hwm_set_u32(m, HWM_VRAM, ot->vram_mb))
		return oom(im->err);
	if (ot && ot->family && !strcmp(ot->family, "Windows") &&
	    hwm_set_bool(m, HWM_IOAPIC, true))
		return oom(im->err);
	for (k = 0; k < d->n; k++) {
		struct vsd_entry *e = &d->e[k];

		if (!e->enabled)
			continue;
		if (e->type == VSD_SOUND && strcasecmp(e->vbox, "null")) {
			unsigned v = (unsigned)strtoul(e->vbox, NULL, 10);

			if (hwm_set_bool(m, HWM_AUDIO_ENABLED, true) ||
			    hwm_set_str(m, HWM_AUDIO_CTL, v == 1 ? "SB16" :
					v == 2 ? "HDA" : "AC97"))
				return oom(im->err);
		} else if (e->type == VSD_USB) {
			if (hwm_usb_add(m, "OHCI", "OHCI", im->err))
				return -EINVAL;
		} else if (e->type == VSD_NIC) {
			static const struct { const char *x; enum hwm_att a; }
			atts[] = { { "type=Bridged", HWA_BRIDGED },
				   { "type=HostOnly", HWA_HOSTONLY },
				   { "type=Internal", HWA_INTNET },
				   { "type=Generic", HWA_GENERIC },
				   { "type=NATNetwork", HWA_NATNETWORK } };
			enum hwm_att a = HWA_NAT;
			const char *tname = ovf_nic_type_name(
				(unsigned)strtoul(e->vbox, NULL, 10));
			size_t x;

			if (nic >= 8)
				return vb_err(im->err, EINVAL, VBOX_E_FILE_ERROR,
					      "Too many network adapters: OVF requests %u network adapters, but VirtualBox only supports %u",
					      nic + 1, 8);
			for (x = 0; x < VB_ARRAY_SIZE(atts); x++)
				if (vb_ends_with(e->extra, atts[x].x))
					a = atts[x].a;
			if (hwm_nic_set_bool(m, nic, HWN_ENABLED, true) ||
			    (tname && hwm_nic_set_str(m, nic, HWN_TYPE, tname)) ||
			    hwm_nic_set_attachment(m, nic, a) ||
			    hwm_nic_set_mac(m, nic, NULL, im->err))
				return oom(im->err);
			nic++;
		}
	}
	if (!nic && hwm_nic_set_bool(m, 0, HWN_ENABLED, false))
		return oom(im->err);

	/* controllers in VirtualBox's order: IDE, SATA, SCSI, SAS, ... */
	for (k = 0; k < d->n && k < 64; k++) {
		struct vsd_entry *e = &d->e[k];

		if (!e->enabled || !vsd_is_controller(e->type))
			continue;
		switch (e->type) {
		case VSD_HDC_IDE:
			if (!ide)
				ide = ctl_node[k] = add_controller(m, "IDE",
						e->vbox, 2, true, false);
			else
				ctl_node[k] = ide;
			break;
		case VSD_HDC_SATA:
			ctl_node[k] = add_controller(m, "SATA", "AHCI", 30,
						     false, true);
			break;
		case VSD_HDC_SCSI:
			ctl_node[k] = add_controller(m, "SCSI",
				!strcasecmp(e->vbox, "BusLogic") ? "BusLogic"
								 : "LsiLogic",
				16, false, false);
			break;
		case VSD_HDC_SAS:
			ctl_node[k] = add_controller(m, "SAS", "LsiLogicSas", 8,
						     false, false);
			break;
		case VSD_HDC_VIRTIOSCSI:
			ctl_node[k] = add_controller(m, "VirtioSCSI",
						     "VirtioSCSI", 1, false,
						     false);
			break;
		case VSD_HDC_NVME:
			ctl_node[k] = add_controller(m, "NVMe", "NVMe", 1,
						     false, false);
			break;
		default:
			break;
		}
		if (!ctl_node[k])
			return oom(im->err);
	}
	for (k = 0; k < d->n; k++) {
		struct vsd_entry *e = &d->e[k];

		if (!e->enabled)
			continue;
		if (e->type == VSD_FLOPPY) {
			struct snode *f = add_controller(m, "Floppy", "I82078",
							 1, true, false);

			if (!f || !attach(f, "Floppy", 0, 0, NULL))
				return oom(im->err);
		} else if (e->type == VSD_CDROM) {
			if (!ide)
				return vb_err(im->err, EINVAL, VBOX_E_FILE_ERROR,
					      "OVF wants a CD-ROM drive but cannot find IDE controller, which is required in this version of VirtualBox");
			if (!attach(ide, "DVD", 1, 0, NULL))
				return oom(im->err);
		}
	}
	for (k = 0; k < d->n; k++) {
		struct vsd_entry *e = &d->e[k];
		struct job *j = job_of_entry(im, vsys, k);
		const struct ovf_controller *oc = NULL;
		uint32_t ci, ch, port, dev;
		struct snode *sc;

		if (e->type != VSD_HD_IMAGE || !e->enabled || !j)
			continue;
		if (vsd_disk_location(e, &ci, &ch) || ci >= d->n || ci >= 64 ||
		    !ctl_node[ci])
			return vb_err(im->err, EINVAL, VB_E_FAIL,
				      "Cannot find the storage controller to which the disk '%s' should be attached",
				      e->ovf);
		sc = ctl_node[ci];
		port = ch;
		dev = 0;
		if (d->e[ci].type == VSD_HDC_IDE) {
			oc = ovf_ctl(os, d->e[ci].ref);
			if (ch > 3)
				return vb_err(im->err, EINVAL,
					      VBOX_E_NOT_SUPPORTED,
					      "Invalid channel %u specified; IDE controllers support only 0, 1 or 2",
					      ch);
			if (ch <= 1) {
				port = oc && !oc->primary ? 1 : 0;
				dev = ch;
			} else {
				port = 1;
				dev = ch - 2;
			}
		}
		if (!attach(sc, j->dvd ? "DVD" : "HardDisk", port, dev,
			    &j->uuid))
			return oom(im->err);
		rc = register_medium(im, m, j);
		if (rc)
			return rc;
	}
	return 0;
}

/* Attachments of a <vbox:Machine>: disks become the imported ones. */
struct vfix {
	struct imp *im;
	unsigned vsys;
	struct machine *m;
	int rc;
};

static int fix_attachment(void *ctx, struct snode *level, struct snode *ad,
			  struct snode *img)
{
	struct vfix *f = ctx;
	struct imp *im = f->im;
	struct vsd *d = &im->vsds[f->vsys];
	const char *type = snode_attr(ad, "type"), *u = snode_attr(img, "uuid");
	struct vb_uuid uu;
	char ub[40];
	unsigned k, i;

	if (!type || !u || vb_uuid_parse(u, &uu))
		return 0;
	for (i = 0; i < im->n_jobs; i++)
		if (im->jobs[i].done && vb_uuid_eq(&im->jobs[i].uuid, &uu))
			return 0;       /* fixed already */
	/* the appliance disk exported from this image */
	for (k = 0; k < d->n; k++) {
		const struct ovf_disk *disk;
		struct vb_uuid du;
		struct job *j;

		if (d->e[k].type != VSD_HD_IMAGE)
			continue;
		disk = ovf_find_disk(im->p->env, d->e[k].ref);
		if (!disk || !disk->vbox_uuid ||
		    vb_uuid_parse(disk->vbox_uuid, &du) ||
		    !vb_uuid_eq(&du, &uu))
			continue;
		if (!d->e[k].enabled) {
			snode_remove(ad);
			return 1;       /* the walk must restart */
		}
		j = job_of_entry(im, f->vsys, k);
		if (!j)
			continue;
		f->rc = register_medium(im, f->m, j);
		if (f->rc)
			return f->rc;
		return snode_set_attr(img, "uuid", vb_uuid_fmt_braced(&j->uuid,
								      ub));
	}
	if (!strcmp(type, "HardDisk")) {
		f->rc = vb_err(im->err, ENOENT, VB_E_FAIL,
			       "Importing OVF with VirtualBox-specific settings failed: could not find a disk image for UUID {%s}",
			       vb_uuid_fmt(&uu, ub));
		return f->rc;
	}
	/* removable media: kept when registered here, else the drive is
	 * left empty */
	{
		struct mediareg_entry e;
		struct machine *loaded = NULL;

		if (!mediareg_find(im->vb, NULL,
				   !strcmp(type, "DVD") ? MR_DVD : MR_FLOPPY,
				   u, &e, &loaded, NULL)) {
			mediareg_entry_release(&e);
			machine_free(loaded);
			return 0;
		}
	}
	snode_remove(img);
	return 0;
}

static void new_macs(struct imp *im, struct machine *m)
{
	unsigned i, n = hwm_nic_count(m);

	if (im->opts & AI_KEEPALLMACS)
		return;
	for (i = 0; i < n; i++) {
		struct vb_error e2 = { 0 };
		const char *mac = hwm_nic_str(m, i, HWN_MAC);

		if ((im->opts & AI_KEEPNATMACS) &&
		    hwm_nic_attachment(m, i) == HWA_NAT)
			continue;
		if (mac && *mac)
			hwm_nic_set_mac(m, i, NULL, &e2);
	}
}

static int build_vbox(struct imp *im, unsigned vsys, struct machine *m)
{
	struct vsd *d = &im->vsds[vsys];
	struct sysinfo *s = &im->sys[vsys];
	struct snode *top = sdoc_top(machine_doc(m)), *n;
	struct vfix f = { im, vsys, m, 0 };
	unsigned k;
	int rc;

	/* what does not belong to a new machine */
	while ((n = snode_child(top, "MediaRegistry")))
		snode_remove(n);
	while ((n = snode_child(top, "Snapshot")))
		snode_remove(n);
	if (snode_set_attr(top, "currentSnapshot", NULL) ||
	    snode_set_attr(top, "stateFile", NULL) ||
	    snode_set_attr(top, "aborted", NULL) ||
	    snode_set_attr(top, "currentStateModified", NULL) ||
	    snode_set_attr(top, "OSType", s->ostype))
		return oom(im->err);
	if (s->description && hwm_set_description(m, s->description))
		return oom(im->err);
	if (s->cpus && hwm_set_cpu_count(m, s->cpus, im->err))
		return -EINVAL;
	if (s->memory && hwm_set_u32(m, HWM_MEMORY, (uint32_t)(s->memory >> 20)))
		return oom(im->err);
	if (strcmp(s->group, "/") &&
	    hwm_set_groups(m, s->group, NULL, NULL, im->err))
		return -EINVAL;
	for (k = 0; k < d->n; k++) {
		struct vsd_entry *e = &d->e[k];

		if (e->enabled)
			continue;
		if (e->type == VSD_SOUND &&
		    hwm_set_bool(m, HWM_AUDIO_ENABLED, false))
			return oom(im->err);
		if (e->type == VSD_USB) {
			hwm_usb_remove_type(m, "OHCI");
			hwm_usb_remove_type(m, "EHCI");
			hwm_usb_remove_type(m, "XHCI");
		}
	}
	new_macs(im, m);
	do {
		rc = snapshot_walk_level(top, fix_attachment, &f);
	} while (rc == 1);
	if (f.rc)
		return f.rc;
	return rc ? oom(im->err) : 0;
}

static int create_machine(struct imp *im, unsigned vsys)
{
	const struct ovf_system *os = &im->p->env->systems[vsys];
	struct sysinfo *s = &im->sys[vsys];
	struct machine *m = NULL;
	struct vb_uuid id;
	char ub[40];
	int rc;

	if (vb_uuid_generate(&id))
		return vb_err(im->err, EIO, VB_E_FAIL,
			      "Could not generate a UUID");
	rc = make_folder(im, s->folder);
	if (rc)
		return rc;
	if (os->machine_xml) {
		rc = machine_load_mem(im->vb, os->machine_xml,
				      strlen(os->machine_xml), s->settings, &m,
				      im->err);
		if (rc)
			return rc;
		if (snode_set_attr(sdoc_top(machine_doc(m)), "uuid",
				   vb_uuid_fmt_braced(&id, ub)) ||
		    snode_set_attr(sdoc_top(machine_doc(m)), "name", s->name)) {
			machine_free(m);
			return oom(im->err);
		}
		machine_refresh(m);
		if (sdoc_require_version(machine_doc(m), SV_MACHINE_NEW)) {
			machine_free(m);
			return oom(im->err);
		}
		rc = build_vbox(im, vsys, m);
	} else {
		rc = machine_create(im->vb, s->settings, s->name, &id,
				    s->ostype, &m, im->err);
		if (!rc)
			rc = build_generic(im, vsys, m);
	}
	if (!rc)
		rc = hwm_normalize(m);
	if (!rc && !(rc = machine_lock(m, im->err))) {
		rc = machine_save(m, im->err);
		machine_unlock(m);
	}
	if (!rc && app_files_add(&im->created, s->settings))
		rc = oom(im->err);
	if (!rc)
		rc = vbox_register_machine(im->vb, m, im->err);
	if (rc) {
		machine_free(m);
		return rc;
	}
	s->m = m;
	s->registered = true;
	return 0;
}

int app_import(struct vbm_ctx *ctx, struct app_package *p, struct vsd *vsds,
	       unsigned opts, struct vbm_progress *pr, struct vb_error *err)
{
	struct imp im = { 0 };
	unsigned i, n = p->env->n_systems;
	int rc;

	im.ctx = ctx;
	im.vb = vbm_vbox(ctx);
	im.p = p;
	im.vsds = vsds;
	im.opts = opts;
	im.pr = pr;
	im.err = err;
	if (!im.vb)
		return vb_err(err, EIO, VB_E_FAIL, "No VirtualBox home");
	im.sys = calloc(n ? n : 1, sizeof(*im.sys));
	if (!im.sys)
		return oom(err);
	rc = settle(&im);
	if (!rc)
		rc = locate(&im);
	vbm_progress_update(pr, 10);
	for (i = 0; !rc && i < im.n_jobs; i++)
		rc = convert(&im, &im.jobs[i]);
	for (i = 0; !rc && i < n; i++)
		rc = create_machine(&im, i);

	/* the temporary copies go first: they may sit in a folder that
	 * the undo below removes */
	for (i = 0; i < im.n_jobs; i++) {
		if (im.jobs[i].temp)
			unlink(im.jobs[i].src);
		free(im.jobs[i].src);
		free(im.jobs[i].target);
		free(im.jobs[i].format);
	}
	if (im.tmpdir) {
		rmdir(im.tmpdir);
		free(im.tmpdir);
	}
	if (rc) {
		for (i = 0; i < n; i++)
			if (im.sys[i].registered) {
				struct vb_error e2 = { 0 };

				vbox_unregister_machine(im.vb,
							machine_uuid(im.sys[i].m),
							&e2);
			}
		app_files_undo(&im.created);
	}
	for (i = 0; i < n; i++) {
		machine_free(im.sys[i].m);
		free(im.sys[i].name);
		free(im.sys[i].ostype);
		free(im.sys[i].settings);
		free(im.sys[i].folder);
		free(im.sys[i].group);
		free(im.sys[i].description);
	}
	free(im.sys);
	free(im.jobs);
	app_files_release(&im.created);
	return rc;
}

/* image.c - stb_image decoding to gray floats, resizing, windowing and
 * the image feature matrix. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb_image.h>
#include <stb_image_resize.h>

#include "relabel/err.h"
#include "relabel/image.h"
#include "relabel/matrix.h"
#include "relabel/mem.h"

/* Rows a decoding thread claims at a time, and the most threads used. */
#define IMAGE_CHUNK 32
#define IMAGE_MAX_THREADS 8
/* Largest side image_features resizes to. */
#define IMAGE_MAX_FEATURE_SIZE 1024

static const char *image_stb_reason(void)
{
	const char *r = stbi_failure_reason();

	return r ? r : "unknown error";
}

static int image_check_size(const char *name, int64_t w, int64_t h,
			    struct err *e)
{
	if (w < 1 || h < 1)
		return err_set(e, "%s: not a readable image (stb: image is %"
			       PRId64 " x %" PRId64 " pixels)", name, w, h);
	if (w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE)
		return err_set(e, "%s: image is %" PRId64 " x %" PRId64
			       " pixels; the limit is %d on a side", name, w,
			       h, IMAGE_MAX_SIDE);
	if ((uint64_t)w * (uint64_t)h > IMAGE_MAX_PIXELS)
		return err_set(e, "%s: image is %" PRId64 " x %" PRId64
			       " pixels; the limit is %zu Mi pixels in all",
			       name, w, h, IMAGE_MAX_PIXELS >> 20);
	return 0;
}

static uint32_t image_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Width and height from a PNG's IHDR.  stb_image's own header scan
 * refuses a PNG above 2^30 bytes of pixels without saying its size, so
 * the size is read here to name it in the message. */
static int image_png_size(const unsigned char *b, size_t len, int64_t *w,
			  int64_t *h)
{
	static const unsigned char sig[12] = { 0x89, 'P', 'N', 'G', '\r',
					       '\n', 0x1a, '\n', 0, 0, 0, 13 };

	if (len < 24 || memcmp(b, sig, 12) != 0 || memcmp(b + 12, "IHDR", 4))
		return 0;
	*w = image_be32(b + 16);
	*h = image_be32(b + 20);
	return 1;
}

/* Skips PNM whitespace and '#' comments, then reads a decimal number;
 * returns -1 if there is none or it is absurdly long. */
static long image_pnm_number(const unsigned char *b, size_t len,
			     size_t *i)
{
	long v = 0;
	size_t d = 0;

	for (;;) {
		while (*i < len && (b[*i] == ' ' || (b[*i] >= '\t' &&
						       b[*i] <= '\r')))
			(*i)++;
		if (*i >= len || b[*i] != '#')
			break;
		while (*i < len && b[*i] != '\n' && b[*i] != '\r')
			(*i)++;
	}
	for (; *i < len && b[*i] >= '0' && b[*i] <= '9' && d < 9; (*i)++, d++)
		v = v * 10 + (b[*i] - '0');
	return d ? v : -1;
}

/* A binary PGM/PPM header ("P5" or "P6", width, height, maxval and one
 * whitespace byte): returns the offset of the samples and their maxval,
 * or 0 if b is not one. */
static size_t image_pnm_header(const unsigned char *b, size_t len,
			       long *maxval)
{
	size_t i = 2;

	if (len < 2 || b[0] != 'P' || (b[1] != '5' && b[1] != '6'))
		return 0;
	if (image_pnm_number(b, len, &i) < 0 ||
	    image_pnm_number(b, len, &i) < 0 ||
	    (*maxval = image_pnm_number(b, len, &i)) < 1 || i >= len)
		return 0;
	return i + 1;
}

/* Gray in [0,1] from 1 to 4 interleaved channels of 8 or 16 bits;
 * alpha (channels 2 and 4) is ignored.  scale is 1 / the largest
 * sample. */
static void image_gray(const void *src, int bits, int comp, size_t n,
		       float scale, float *dst)
{
	const unsigned char *s8 = src;
	const unsigned short *s16 = src;

	for (size_t i = 0; i < n; i++) {
		size_t k = i * (size_t)comp;
		float r = bits == 16 ? s16[k] : s8[k];

		if (comp >= 3) {
			float g = bits == 16 ? s16[k + 1] : s8[k + 1];
			float b = bits == 16 ? s16[k + 2] : s8[k + 2];

			r = 0.299f * r + 0.587f * g + 0.114f * b;
		}
		dst[i] = r * scale;
	}
}

/* Values a little outside [0,1] come from rounding, from samples above
 * a PNM maxval and from the resampling filters' overshoot. */
static void image_clamp(float *px, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!(px[i] >= 0.0f))
			px[i] = 0.0f;
		else if (px[i] > 1.0f)
			px[i] = 1.0f;
	}
}

static void image_set(struct image *out, int w, int h, int bits,
		      const void *src, int comp, float scale)
{
	size_t n = (size_t)w * (size_t)h;

	out->w = w;
	out->h = h;
	out->bits = bits;
	out->px = xmalloc(n * sizeof *out->px);
	image_gray(src, bits, comp, n, scale, out->px);
	image_clamp(out->px, n);
}

/* Refuses PNM samples shorter than the header promises. */
static int image_pnm_short(const char *name, size_t len, int w, int h,
			   int comp, long maxval, struct err *e)
{
	size_t need = (size_t)w * (size_t)h * (size_t)comp *
		      (maxval > 255 ? 2 : 1);

	if (len >= need)
		return 0;
	return err_set(e, "%s: not a readable image (truncated: %zu of %zu "
		       "sample bytes)", name, len, need);
}

/* 16-bit PGM/PPM samples are big-endian; stb_image 2.27 returns them
 * unswapped, so they are read here. */
static void image_pnm16(const unsigned char *b, int w, int h, int comp,
			long maxval, struct image *out)
{
	size_t n = (size_t)w * (size_t)h * (size_t)comp;
	unsigned short *s = xmalloc(n * sizeof *s);

	for (size_t i = 0; i < n; i++)
		s[i] = (unsigned short)(b[2 * i] << 8 | b[2 * i + 1]);
	image_set(out, w, h, 16, s, comp, 1.0f / (float)maxval);
	free(s);
}

static int image_stb(const char *name, const unsigned char *b, size_t len,
		     long pnm_max, struct image *out, struct err *e)
{
	int w, h, comp, is16 = stbi_is_16_bit_from_memory(b, (int)len);
	float scale = 1.0f / (pnm_max ? (float)pnm_max : is16 ? 65535.0f
							     : 255.0f);
	void *p;

	if (is16)
		p = stbi_load_16_from_memory(b, (int)len, &w, &h, &comp, 0);
	else
		p = stbi_load_from_memory(b, (int)len, &w, &h, &comp, 0);
	if (!p)
		return err_set(e, "%s: not a readable image (stb: %s)", name,
			       image_stb_reason());

	/* The decoder's own idea of the size is what the buffer holds. */
	if (comp < 1 || comp > 4) {
		stbi_image_free(p);
		return err_set(e, "%s: not a readable image (stb: %d "
			       "channels)", name, comp);
	}
	if (image_check_size(name, w, h, e) < 0) {
		stbi_image_free(p);
		return -1;
	}
	image_set(out, w, h, is16 ? 16 : 8, p, comp, scale);
	stbi_image_free(p);
	return 0;
}

int image_load_mem(const char *name, const void *buf, size_t len,
		   struct image *out, struct err *e)
{
	const unsigned char *b = buf;
	int64_t pw, ph;
	int w, h, comp;
	size_t pnm;
	long maxval = 0;

	memset(out, 0, sizeof *out);
	if (len > IMAGE_MAX_FILE_BYTES || len > INT_MAX)
		return err_set(e, "%s: file is %zu bytes; the limit for an "
			       "image is %zu", name, len,
			       (size_t)IMAGE_MAX_FILE_BYTES);

	/* The header alone says how large the pixels would be. */
	if (image_png_size(b, len, &pw, &ph) &&
	    image_check_size(name, pw, ph, e) < 0)
		return -1;
	if (!stbi_info_from_memory(b, (int)len, &w, &h, &comp))
		return err_set(e, "%s: not a readable image (stb: %s)", name,
			       image_stb_reason());
	if (image_check_size(name, w, h, e) < 0)
		return -1;

	/* PNM samples are relative to the maxval in their header, and stb
	 * does not notice when they are cut short. */
	pnm = image_pnm_header(b, len, &maxval);
	if (pnm && image_pnm_short(name, len - pnm, w, h, comp, maxval, e))
		return -1;
	if (pnm && maxval > 255) {
		image_pnm16(b + pnm, w, h, comp, maxval, out);
		return 0;
	}
	return image_stb(name, b, len, pnm ? maxval : 0, out, e);
}

/* Reads a whole regular file into *buf (grown as needed, reused across
 * calls); returns its length through *len. */
static int image_read_file(const char *path, unsigned char **buf,
			   size_t *cap, size_t *len, struct err *e)
{
	struct stat st;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, "%s: not a regular file", path);
	}
	if ((uintmax_t)st.st_size > IMAGE_MAX_FILE_BYTES) {
		close(fd);
		return err_set(e, "%s: file is %jd bytes; the limit for an "
			       "image is %zu", path, (intmax_t)st.st_size,
			       (size_t)IMAGE_MAX_FILE_BYTES);
	}

	if (*cap < (size_t)st.st_size || !*buf) {
		*cap = st.st_size ? (size_t)st.st_size : 1;
		free(*buf);
		*buf = xmalloc(*cap);
	}
	/* A file that changes meanwhile is read up to its old size. */
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			close(fd);
			return err_set(e, "%s: cannot read: %s", path,
				       strerror(saved));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return 0;
}

int image_load(const char *path, struct image *out, struct err *e)
{
	unsigned char *buf = NULL;
	size_t cap = 0, len = 0;
	int rc;

	memset(out, 0, sizeof *out);
	rc = image_read_file(path, &buf, &cap, &len, e);
	if (rc == 0)
		rc = image_load_mem(path, buf, len, out, e);
	free(buf);
	return rc;
}

void image_free(struct image *img)
{
	free(img->px);
	memset(img, 0, sizeof *img);
}

/* stbir with the library's default filters; dst holds w * h floats. */
static int image_resample(const struct image *in, int w, int h, float *dst)
{
	if (in->w == w && in->h == h) {
		memcpy(dst, in->px, (size_t)w * (size_t)h * sizeof *dst);
		return 0;
	}
	if (!stbir_resize_float(in->px, in->w, in->h, 0, dst, w, h, 0, 1))
		return -1;
	image_clamp(dst, (size_t)w * (size_t)h);
	return 0;
}

int image_resize(const struct image *in, int w, int h, struct image *out)
{
	memset(out, 0, sizeof *out);
	if (w < 1 || h < 1 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE ||
	    (size_t)w * (size_t)h > IMAGE_MAX_PIXELS || !in->px ||
	    in->w < 1 || in->h < 1)
		return -1;
	out->px = xmalloc((size_t)w * (size_t)h * sizeof *out->px);
	if (image_resample(in, w, h, out->px) < 0) {
		image_free(out);
		return -1;
	}
	out->w = w;
	out->h = h;
	out->bits = in->bits;
	return 0;
}

void image_window(const struct image *in, float level, float width,
		  int invert, struct image *out)
{
	size_t n = (size_t)in->w * (size_t)in->h;
	float lo = level - width / 2.0f;

	if (out != in) {
		out->w = in->w;
		out->h = in->h;
		out->bits = in->bits;
		out->px = xmalloc((n ? n : 1) * sizeof *out->px);
	}

	/* A window of no width is a threshold at the level. */
	for (size_t i = 0; i < n; i++) {
		float v = in->px[i];

		if (width > 0.0f)
			v = (v - lo) / width;
		else
			v = v >= level ? 1.0f : 0.0f;
		if (!(v >= 0.0f))
			v = 0.0f;
		else if (v > 1.0f)
			v = 1.0f;
		out->px[i] = invert ? 1.0f - v : v;
	}
}

/* Shared state of the decoding threads of image_features. */
struct image_job {
	const char *const *paths;
	size_t n;
	int size;
	float *out;			/* [n, size*size] */
	atomic_size_t next;		/* first row not yet claimed */
	atomic_int stop;		/* set by the first thread that fails */
	pthread_mutex_t lock;		/* guards fail_row and fail */
	size_t fail_row;		/* lowest failing row, n if none */
	struct err fail;
};

static int image_feature_row(struct image_job *job, size_t i,
			     unsigned char **buf, size_t *cap,
			     struct err *e)
{
	const char *path = job->paths[i];
	size_t dim = (size_t)job->size * (size_t)job->size;
	struct image img;
	size_t len = 0;
	int rc;

	if (!path)
		return err_set(e, "item %zu: no image path", i + 1);
	if (image_read_file(path, buf, cap, &len, e) < 0 ||
	    image_load_mem(path, *buf, len, &img, e) < 0)
		return -1;
	rc = image_resample(&img, job->size, job->size, job->out + i * dim);
	image_free(&img);
	if (rc < 0)
		return err_set(e, "%s: cannot resize to %d x %d", path,
			       job->size, job->size);
	return 0;
}

/* Claims chunks in order until none is left or a thread failed; the
 * lowest failing row wins, so the error does not depend on timing. */
static void *image_worker(void *arg)
{
	struct image_job *job = arg;
	unsigned char *buf = NULL;
	size_t cap = 0;
	struct err e;

	while (!atomic_load(&job->stop)) {
		size_t lo = atomic_fetch_add(&job->next, IMAGE_CHUNK);
		size_t hi = job->n - lo > IMAGE_CHUNK ? lo + IMAGE_CHUNK
						      : job->n;

		if (lo >= job->n)
			break;
		for (size_t i = lo; i < hi; i++) {
			if (image_feature_row(job, i, &buf, &cap, &e) == 0)
				continue;
			pthread_mutex_lock(&job->lock);
			if (i < job->fail_row) {
				job->fail_row = i;
				job->fail = e;
			}
			pthread_mutex_unlock(&job->lock);
			atomic_store(&job->stop, 1);
			break;
		}
	}
	free(buf);
	return NULL;
}

static int image_thread_count(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t chunks = (n + IMAGE_CHUNK - 1) / IMAGE_CHUNK;
	size_t t = cpus > 0 ? (size_t)cpus : 1;

	if (t > IMAGE_MAX_THREADS)
		t = IMAGE_MAX_THREADS;
	if (t > chunks)
		t = chunks;
	return t ? (int)t : 1;
}

int image_features(const char *const *paths, size_t n, int size,
		   struct dense *out, struct err *e)
{
	pthread_t tid[IMAGE_MAX_THREADS];
	struct image_job job = { .paths = paths, .n = n, .size = size };
	int nt, started = 0;

	memset(out, 0, sizeof *out);
	if (size < 1 || size > IMAGE_MAX_FEATURE_SIZE)
		return err_set(e, "image size %d is out of range; use 1 to %d",
			       size, IMAGE_MAX_FEATURE_SIZE);
	if (n > SIZE_MAX / ((size_t)size * (size_t)size * sizeof(float)))
		return err_set(e, "%zu images of %d x %d do not fit in memory",
			       n, size, size);
	dense_init(out, n, (size_t)size * (size_t)size);
	job.out = out->v;
	job.fail_row = n;
	atomic_init(&job.next, 0);
	atomic_init(&job.stop, 0);
	pthread_mutex_init(&job.lock, NULL);

	/* This thread decodes too; a thread that cannot start is not
	 * needed for correctness, only for speed. */
	nt = image_thread_count(n);
	for (int t = 1; t < nt; t++)
		if (!pthread_create(&tid[started], NULL, image_worker, &job))
			started++;
	image_worker(&job);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&job.lock);

	if (job.fail_row < n) {
		dense_free(out);
		if (e)
			*e = job.fail;
		return -1;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the test guests. The kernel has already run its KUnit suites
 * at boot; this prints the boot's run id ("wb.run=ID" on the kernel
 * command line, so that a log from another boot is never taken for this
 * one), runs the checks named there with "wb.check=NAME[:ARG]", prints
 * them as TAP, then powers the guest off.
 *
 *   iommu:PREFIX      an IOMMU whose name starts with PREFIX is registered
 *   disk-dma:HASH     /dev/vda sits behind an IOMMU group translating DMA,
 *                     and an O_DIRECT read of the whole disk hashes to HASH
 *                     (64-bit FNV-1a, hex)
 *   vtd-pasid-table   the VT-d table walk shows a scalable-mode PASID-table
 *                     entry (PASID 0) for the disk's PCI function
 *   kmemleak          a kmemleak scan finds nothing
 *   bench:ROUNDS      the PASID benchmark (CONFIG_IOMMU_PASID_BENCH) runs
 *                     ROUNDS rounds; the CPU model and the speculation
 *                     mitigations it ran with are printed first
 *   dma-map-bench:N   the kernel's DMA map benchmark (CONFIG_DMA_MAP_BENCHMARK)
 *                     bound to QEMU's edu device (1234:11e8) maps and
 *                     unmaps one page at a time on one thread, N runs of
 *                     2 seconds; each run's mean and standard deviation,
 *                     in units of 100 ns, the device's IOMMU group type
 *                     and whether the kernel has VT-d's PASID attach of
 *                     DMA domains (intel_iommu_attach_dev_pasid) are
 *                     printed
 *   failnth           failslab and fail_page_alloc are set to fail what
 *                     fail-nth and make-it-fail ask for (GFP_KERNEL,
 *                     single pages, highmem), quietly and in the asking
 *                     task only; then the allocation-failure sweep
 *                     (CONFIG_IOMMU_FAILNTH_KUNIT_TEST) runs, and prints
 *                     its KUnit suite
 *   kselftest:PROG    the kselftest program /kselftest/PROG (boot.sh packs
 *                     it) runs with its output piped: each line it prints
 *                     comes out as "kselftest PROG: LINE", between
 *                     "# kselftest PROG start" and "# kselftest PROG exit
 *                     STATUS" (a number, "signal N" or "timeout"); the
 *                     check passes if it exited 0, scripts/results.py
 *                     judges its TAP
 *   gcov              every .gcda file in debugfs (CONFIG_GCOV_KERNEL) is
 *                     printed as "# gcov-file PATH SIZE", then its bytes
 *                     in hex, "# gcov-data HEX" lines; scripts/coverage.py
 *                     reads them
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ntest;
static int nfail;

static void result(int ok, const char *name, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	ntest++;
	if (!ok)
		nfail++;
	/* One write per line keeps it whole on the shared serial console. */
	printf("%sok %d guest.%s - %s\n", ok ? "" : "not ", ntest, name, detail);
	fflush(stdout);
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return -1;
	while (len < (ssize_t)size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return ret;
}

static void check_iommu(const char *prefix)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *e;
	char found[256] = "";

	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			snprintf(found, sizeof(found), "%s", e->d_name);
	if (d)
		closedir(d);
	result(found[0] != 0, "iommu", "%s%s registered", found[0] ? found : prefix,
	       found[0] ? "" : "* not");
}

/* The PCI function behind /dev/vda, e.g. "0000:00:03.0". */
static int disk_pci_dir(char *dir, size_t size)
{
	char path[PATH_MAX];

	if (!realpath("/sys/block/vda/device", path))
		return -1;
	/* .../0000:00:03.0/virtio1 */
	snprintf(dir, size, "%s", dirname(path));
	return 0;
}

static void check_disk_dma(const char *want)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], type[64] = "";
	const size_t chunk = 1 << 20;
	uint64_t hash = 0xcbf29ce484222325ULL;
	unsigned long long total = 0;
	unsigned char *buf;
	char got[32];
	ssize_t n;
	int fd;

	if (disk_pci_dir(dir, sizeof(dir))) {
		result(0, "disk-dma", "no /dev/vda");
		return;
	}
	snprintf(path, sizeof(path), "%s/iommu_group/type", dir);
	if (read_file(path, type, sizeof(type)) <= 0) {
		result(0, "disk-dma", "%s has no IOMMU group", basename(dir));
		return;
	}
	type[strcspn(type, "\n")] = '\0';
	if (strncmp(type, "DMA", 3)) {
		result(0, "disk-dma", "%s group type is %s, not DMA", basename(dir), type);
		return;
	}

	/* O_DIRECT: every byte comes from the device's DMA, not a cache. */
	fd = open("/dev/vda", O_RDONLY | O_DIRECT);
	if (fd < 0 || posix_memalign((void **)&buf, 4096, chunk)) {
		result(0, "disk-dma", "cannot open /dev/vda");
		return;
	}
	while ((n = read(fd, buf, chunk)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			hash ^= buf[i];
			hash *= 0x100000001b3ULL;
		}
		total += n;
	}
	close(fd);
	free(buf);
	snprintf(got, sizeof(got), "%016" PRIx64, hash);
	result(n == 0 && !strcmp(got, want), "disk-dma",
	       "%s in a %s group: read %llu bytes by DMA, hash %s (want %s)",
	       basename(dir), type, total, got, want);
}

static void check_vtd_pasid_table(void)
{
	static char walk[1 << 20];
	char dir[PATH_MAX], bdf[16], *line;
	const char *pci;
	int found = 0;

	if (disk_pci_dir(dir, sizeof(dir))) {
		result(0, "vtd-pasid-table", "no /dev/vda");
		return;
	}
	pci = basename(dir);			/* 0000:00:03.0 */
	snprintf(bdf, sizeof(bdf), "%s", pci + 5);	/* 00:03.0 */
	if (read_file("/sys/kernel/debug/iommu/intel/dmar_translation_struct",
		      walk, sizeof(walk)) <= 0) {
		result(0, "vtd-pasid-table", "no VT-d table walk in debugfs");
		return;
	}
	/* "B.D.F <root> <context> PASID <entry>": legacy mode prints -1. */
	for (line = strtok(walk, "\n"); line; line = strtok(NULL, "\n")) {
		char f[5][64];

		if (sscanf(line, "%63s %63s %63s %63s %63s", f[0], f[1], f[2], f[3], f[4]) == 5 &&
		    !strcmp(f[0], bdf) && !strcmp(f[3], "0") &&
		    strcmp(f[4], "0x0000000000000000:0x0000000000000000:0x0000000000000000"))
			found = 1;
	}
	result(found, "vtd-pasid-table", "%s %s a scalable-mode PASID-table entry for PASID 0",
	       bdf, found ? "has" : "lacks");
}

static void check_bench(const char *rounds)
{
	static const char vuln[] = "/sys/devices/system/cpu/vulnerabilities";
	static char buf[4096];
	struct dirent *e;
	char *model;
	DIR *d;

	read_file("/proc/cpuinfo", buf, sizeof(buf));
	model = strstr(buf, "model name");
	if (model)
		printf("# bench cpu: %.*s\n", (int)strcspn(model, "\n"), model);
	d = opendir(vuln);
	while (d && (e = readdir(d))) {
		char path[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", vuln, e->d_name);
		if (read_file(path, buf, sizeof(buf)) > 0)
			printf("# bench mitigation %s: %.*s\n", e->d_name,
			       (int)strcspn(buf, "\n"), buf);
	}
	if (d)
		closedir(d);
	result(!write_file("/sys/kernel/debug/iommu-pasid-bench", rounds), "bench",
	       "%s rounds", rounds);
}

/* include/linux/map_benchmark.h, which is not a uapi header */
struct map_benchmark {
	uint64_t avg_map_100ns;
	uint64_t map_stddev;
	uint64_t avg_unmap_100ns;
	uint64_t unmap_stddev;
	uint32_t threads;
	uint32_t seconds;
	int32_t node;
	uint32_t dma_bits;
	uint32_t dma_dir;
	uint32_t dma_trans_ns;
	uint32_t granule;
	uint8_t expansion[76];
};
#define DMA_MAP_BENCHMARK _IOWR('d', 1, struct map_benchmark)

/* Whether /proc/kallsyms names function @sym. */
static int kallsyms_has(const char *sym)
{
	char line[512];
	FILE *f = fopen("/proc/kallsyms", "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f)) {
		char name[256];

		if (sscanf(line, "%*s %*s %255s", name) == 1 && !strcmp(name, sym))
			found = 1;
	}
	if (f)
		fclose(f);
	return found;
}

/* The PCI address of QEMU's edu device, e.g. "0000:00:03.0". */
static int edu_pci_address(char *addr, size_t size)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int found = -1;

	while (d && found && (e = readdir(d))) {
		char path[PATH_MAX], vendor[16] = "", device[16] = "";

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		read_file(path, vendor, sizeof(vendor));
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", e->d_name);
		read_file(path, device, sizeof(device));
		if (!strncmp(vendor, "0x1234", 6) && !strncmp(device, "0x11e8", 6)) {
			snprintf(addr, size, "%s", e->d_name);
			found = 0;
		}
	}
	if (d)
		closedir(d);
	return found;
}

static void check_dma_map_bench(const char *runs)
{
	char addr[NAME_MAX + 1], path[PATH_MAX], type[32] = "";
	static char cpuinfo[4096];
	struct map_benchmark b;
	int i, n = atoi(runs), fd, failed = 0;
	char *model;

	read_file("/proc/cpuinfo", cpuinfo, sizeof(cpuinfo));
	model = strstr(cpuinfo, "model name");
	if (model)
		printf("# dma-map-bench cpu: %.*s\n", (int)strcspn(model, "\n"), model);
	printf("# dma-map-bench kernel has intel_iommu_attach_dev_pasid: %s\n",
	       kallsyms_has("intel_iommu_attach_dev_pasid") ? "yes" : "no");

	if (n < 1 || edu_pci_address(addr, sizeof(addr))) {
		result(0, "dma-map-bench", n < 1 ? "bad run count %s" : "no edu device", runs);
		return;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type", addr);
	read_file(path, type, sizeof(type));
	printf("# dma-map-bench device %s, IOMMU group type %.*s\n", addr,
	       (int)strcspn(type, "\n"), type);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", addr);
	if (write_file(path, "dma_map_benchmark") ||
	    write_file("/sys/bus/pci/drivers/dma_map_benchmark/bind", addr)) {
		result(0, "dma-map-bench", "cannot bind %s to dma_map_benchmark", addr);
		return;
	}
	fd = open("/sys/kernel/debug/dma_map_benchmark", O_RDWR);
	for (i = 0; fd >= 0 && i < n; i++) {
		memset(&b, 0, sizeof(b));
		b.threads = 1;
		b.seconds = 2;
		b.node = -1;
		b.dma_bits = 32;
		b.dma_dir = 0;		/* DMA_MAP_BIDIRECTIONAL */
		b.granule = 1;
		if (ioctl(fd, DMA_MAP_BENCHMARK, &b)) {
			failed = 1;
			break;
		}
		printf("# dma-map-bench map_100ns=%" PRIu64 " map_sd=%" PRIu64
		       " unmap_100ns=%" PRIu64 " unmap_sd=%" PRIu64 "\n",
		       b.avg_map_100ns, b.map_stddev, b.avg_unmap_100ns, b.unmap_stddev);
	}
	if (fd >= 0)
		close(fd);
	result(fd >= 0 && !failed, "dma-map-bench", "%d runs of 2 s on %s%s", n, addr,
	       fd < 0 ? ": no /sys/kernel/debug/dma_map_benchmark" :
	       failed ? ": the ioctl failed" : "");
}

static void check_failnth(void)
{
	/*
	 * fail-nth fails the nth allocation; with make-it-fail (task-filter,
	 * probability 100, no limit) also every later one, of that task only.
	 */
	static const char *const knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/task-filter", "Y" },
		{ "failslab/probability", "100" },
		{ "failslab/times", "-1" },
		{ "failslab/verbose", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/task-filter", "Y" },
		{ "fail_page_alloc/probability", "100" },
		{ "fail_page_alloc/times", "-1" },
		{ "fail_page_alloc/verbose", "0" },
	};
	char path[PATH_MAX], got[32];

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s", knobs[i][0]);
		if (write_file(path, knobs[i][1]) || read_file(path, got, sizeof(got)) <= 0 ||
		    strncmp(got, knobs[i][1], strlen(knobs[i][1])) || got[strlen(knobs[i][1])] != '\n') {
			result(0, "failnth", "cannot set %s to %s", path, knobs[i][1]);
			return;
		}
	}
	result(!write_file("/sys/kernel/debug/iommu-failnth", "1"), "failnth",
	       "fault injection set up; the sweep ran (suite iommu-failnth)");
}

/* Print what a kselftest program wrote, a line at a time, prefixed. */
static void kselftest_lines(const char *prog, char *buf, size_t *len, int flush)
{
	char *nl, *start = buf;

	while ((nl = memchr(start, '\n', *len - (start - buf)))) {
		*nl = '\0';
		printf("kselftest %s: %s\n", prog, start);
		start = nl + 1;
	}
	*len -= start - buf;
	memmove(buf, start, *len);
	/* A full buffer or the end: what is left is a line of its own. */
	if (*len && (flush || *len == 4096)) {
		printf("kselftest %s: %.*s\n", prog, (int)*len, buf);
		*len = 0;
	}
}

static void check_kselftest(const char *prog)
{
	static char buf[4096];
	char path[PATH_MAX], dir[PATH_MAX];
	time_t deadline = time(NULL) + 600;
	size_t len = 0;
	int pipefd[2], status = 0;
	int timed_out = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "/kselftest/%s", prog);
	snprintf(dir, sizeof(dir), "%s", path);
	if (access(path, X_OK) || pipe(pipefd)) {
		result(0, "kselftest", "%s: not in the initramfs", prog);
		return;
	}
	printf("# kselftest %s start\n", prog);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		if (chdir(dirname(dir)))
			_exit(126);
		unsetenv("KSFT_TAP_LEVEL");
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		time_t left = deadline - time(NULL);
		ssize_t n;

		if (pid < 0 || left <= 0) {
			timed_out = pid > 0;
			break;
		}
		if (poll(&p, 1, left * 1000) <= 0)
			continue;
		n = read(pipefd[0], buf + len, sizeof(buf) - len);
		if (n <= 0)
			break;
		len += n;
		kselftest_lines(prog, buf, &len, 0);
	}
	kselftest_lines(prog, buf, &len, 1);
	close(pipefd[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (timed_out)
		printf("# kselftest %s exit timeout\n", prog);
	else if (pid < 0)
		printf("# kselftest %s exit fork failed\n", prog);
	else if (WIFSIGNALED(status))
		printf("# kselftest %s exit signal %d\n", prog, WTERMSIG(status));
	else
		printf("# kselftest %s exit %d\n", prog, WEXITSTATUS(status));
	result(pid > 0 && !timed_out && WIFEXITED(status) && !WEXITSTATUS(status),
	       "kselftest", "%s: %s", prog,
	       timed_out ? "timed out" : pid < 0 ? "cannot fork" :
	       WIFEXITED(status) && !WEXITSTATUS(status) ? "exit 0" : "failed");
}

static int gcov_files, gcov_failed;
static long long gcov_bytes;

static int gcov_dump(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	static unsigned char buf[1 << 20];
	static char line[2 * 96 + 1];
	size_t len = strlen(path);
	ssize_t n, size = 0;
	int fd;

	(void)st;
	(void)ftw;
	if (type != FTW_F || len < 5 || strcmp(path + len - 5, ".gcda"))
		return 0;
	/* debugfs reports no size: read it whole. */
	fd = open(path, O_RDONLY);
	while (fd >= 0 && size < (ssize_t)sizeof(buf) &&
	       (n = read(fd, buf + size, sizeof(buf) - size)) > 0)
		size += n;
	if (fd < 0 || size == (ssize_t)sizeof(buf)) {
		printf("# gcov-error %s\n", path);
		gcov_failed++;
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	printf("# gcov-file %s %zd\n", path, size);
	for (ssize_t i = 0; i < size; i += 96) {
		size_t j, k = 0;

		for (j = i; j < (size_t)size && j < (size_t)i + 96; j++)
			k += sprintf(line + k, "%02x", buf[j]);
		printf("# gcov-data %s\n", line);
	}
	gcov_files++;
	gcov_bytes += size;
	return 0;
}

static void check_gcov(void)
{
	int ret = nftw("/sys/kernel/debug/gcov", gcov_dump, 16, FTW_PHYS);

	result(ret == 0 && gcov_files > 0 && !gcov_failed, "gcov",
	       "%d .gcda files, %lld bytes printed%s", gcov_files, gcov_bytes,
	       ret ? ", debugfs gcov/ not readable" : gcov_failed ? ", some unreadable" : "");
}

static void check_kmemleak(void)
{
	static char report[1 << 16];
	int len;

	/* Objects younger than 5 s are not reported: let the tests' age. */
	sleep(6);
	if (write_file("/sys/kernel/debug/kmemleak", "scan") ||
	    write_file("/sys/kernel/debug/kmemleak", "scan")) {
		result(0, "kmemleak", "cannot scan (is kmemleak enabled?)");
		return;
	}
	len = read_file("/sys/kernel/debug/kmemleak", report, sizeof(report));
	if (len > 0)
		printf("%s", report);
	result(len == 0, "kmemleak", len == 0 ? "no leak found" : "leaks reported above");
}

int main(void)
{
	static char cmdline[4096];
	char *tok, *save;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	printf("# guest checks\n");
	for (tok = strtok_r(cmdline, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		char *arg;

		if (!strncmp(tok, "wb.run=", 7)) {
			printf("# guest run %s\n", tok + 7);
			continue;
		}
		if (strncmp(tok, "wb.check=", 9))
			continue;
		tok += 9;
		arg = strchr(tok, ':');
		if (arg)
			*arg++ = '\0';
		if (!strcmp(tok, "iommu") && arg)
			check_iommu(arg);
		else if (!strcmp(tok, "disk-dma") && arg)
			check_disk_dma(arg);
		else if (!strcmp(tok, "vtd-pasid-table"))
			check_vtd_pasid_table();
		else if (!strcmp(tok, "kmemleak"))
			check_kmemleak();
		else if (!strcmp(tok, "bench") && arg)
			check_bench(arg);
		else if (!strcmp(tok, "dma-map-bench") && arg)
			check_dma_map_bench(arg);
		else if (!strcmp(tok, "failnth"))
			check_failnth();
		else if (!strcmp(tok, "kselftest") && arg)
			check_kselftest(arg);
		else if (!strcmp(tok, "gcov"))
			check_gcov();
		else
			result(0, tok, "unknown check");
	}
	printf("# guest checks done: %d run, %d failed\n", ntest, nfail);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}

/*
 * A control panel (CP) for Lintel's interoperability tests, built on libosdp, the reference implementation of
 * SIA OSDP. It drives one PD over the file descriptor it is given (one side of a pseudo-terminal), prints what
 * happens as JSON lines on stdout, and takes commands as text lines on stdin:
 *
 *   led <temp_ctrl> <temp_on> <temp_off> <temp_on_color> <temp_off_color> <temp_timer> <perm_ctrl> <perm_on> <perm_off> <perm_on_color> <perm_off_color>
 *   buzzer <control> <on> <off> <count>
 *   text <control> <temp_seconds> <text…>
 *   output <number> <control> <timer>
 *   comset <address> <baud>
 *   status <input|output|local>
 *   state            (prints online, secure, the PD's identity and capabilities as the CP read them)
 *   quit
 *
 * Usage: libosdp-cp --fd N --address A [--baud B] [--scbk HEX32] [--enforce-secure] [--log-level L]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osdp.h>

static int line_fd = -1;

/* Wall-clock time in microseconds: the test compares it with the moment Lintel decided. */
static long long realtime_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int channel_recv(void *data, uint8_t *buf, int len)
{
	(void)data;
	ssize_t got = read(line_fd, buf, (size_t)len);
	/* EAGAIN: nothing yet; EIO: the PD side is not open (Lintel reopening its port). Both mean "no bytes". */
	return got > 0 ? (int)got : 0;
}

static int channel_send(void *data, uint8_t *buf, int len)
{
	(void)data;
	ssize_t sent = write(line_fd, buf, (size_t)len);
	if (sent == len) return len;
	if (sent < 0 && (errno == EAGAIN || errno == EIO)) return 0;
	return -1;
}

static void channel_flush(void *data)
{
	(void)data;
	uint8_t scratch[256];
	while (read(line_fd, scratch, sizeof(scratch)) > 0) {
	}
}

static void print_hex(const uint8_t *bytes, int count)
{
	for (int i = 0; i < count; i++) printf("%02x", bytes[i]);
}

static int on_event(void *arg, int pd, struct osdp_event *event)
{
	(void)arg;
	switch (event->type) {
	case OSDP_EVENT_CARDREAD:
		printf("{\"event\":\"cardread\",\"pd\":%d,\"atUs\":%lld,\"reader\":%d,\"format\":%d,\"bits\":%d,\"data\":\"", pd, realtime_us(),
		       event->cardread.reader_no, event->cardread.format, event->cardread.length);
		print_hex(event->cardread.data, (event->cardread.length + 7) / 8);
		printf("\"}\n");
		break;
	case OSDP_EVENT_STATUS:
		printf("{\"event\":\"status\",\"pd\":%d,\"type\":%d,\"report\":\"", pd, event->status.type);
		print_hex(event->status.report, event->status.nr_entries);
		printf("\"}\n");
		break;
	case OSDP_EVENT_NOTIFICATION:
		switch (event->notif.type) {
		case OSDP_NOTIFICATION_PD_STATUS:
			printf("{\"event\":\"pd-status\",\"pd\":%d,\"online\":%s}\n", pd, event->notif.arg0 ? "true" : "false");
			break;
		case OSDP_NOTIFICATION_SC_STATUS:
			printf("{\"event\":\"sc-status\",\"pd\":%d,\"active\":%s,\"defaultKey\":%s}\n", pd, event->notif.arg0 ? "true" : "false",
			       event->notif.arg1 ? "true" : "false");
			break;
		case OSDP_NOTIFICATION_COMMAND:
			printf("{\"event\":\"command\",\"pd\":%d,\"command\":%d,\"ok\":%s}\n", pd, event->notif.arg0, event->notif.arg1 == 0 ? "true" : "false");
			break;
		default:
			break;
		}
		break;
	default:
		printf("{\"event\":\"other\",\"pd\":%d,\"type\":%d}\n", pd, event->type);
		break;
	}
	fflush(stdout);
	return 0;
}

static void print_state(osdp_t *ctx)
{
	uint8_t online = 0, secure = 0;
	struct osdp_pd_id id;
	osdp_get_status_mask(ctx, &online);
	osdp_get_sc_status_mask(ctx, &secure);
	printf("{\"event\":\"state\",\"online\":%s,\"secure\":%s", (online & 1) ? "true" : "false", (secure & 1) ? "true" : "false");
	memset(&id, 0, sizeof(id));
	if (osdp_cp_get_pd_id(ctx, 0, &id) == 0) {
		printf(",\"id\":{\"vendorCode\":%u,\"model\":%d,\"version\":%d,\"serialNumber\":%u,\"firmware\":%u}", id.vendor_code, id.model, id.version,
		       id.serial_number, id.firmware_version);
	}
	printf(",\"capabilities\":[");
	int first = 1;
	for (int code = 1; code <= 16; code++) {
		struct osdp_pd_cap cap = { .function_code = (uint8_t)code };
		if (osdp_cp_get_capability(ctx, 0, &cap) != 0) continue;
		printf("%s[%d,%d,%d]", first ? "" : ",", code, cap.compliance_level, cap.num_items);
		first = 0;
	}
	printf("]}\n");
	fflush(stdout);
}

/* libosdp queues the command itself (an intrusive list), not a copy: each lives on the heap until it completes. */
static void on_command_done(void *arg, int pd, const struct osdp_cmd *cmd, enum osdp_completion_status status)
{
	(void)arg;
	printf("{\"event\":\"command-done\",\"pd\":%d,\"command\":%d,\"status\":%d}\n", pd, cmd->id, status);
	fflush(stdout);
	free((void *)cmd);
}

static int submit(osdp_t *ctx, const struct osdp_cmd *cmd, const char *what)
{
	struct osdp_cmd *queued = malloc(sizeof(*queued));
	if (queued == NULL) return -1;
	memcpy(queued, cmd, sizeof(*queued));
	int failed = osdp_cp_submit_command(ctx, 0, queued);
	if (failed) free(queued);
	printf("{\"event\":\"submitted\",\"what\":\"%s\",\"ok\":%s}\n", what, failed ? "false" : "true");
	fflush(stdout);
	return failed;
}

/* Runs one stdin line; returns 1 on quit. */
static int run_line(osdp_t *ctx, char *line)
{
	struct osdp_cmd cmd;
	unsigned v[11];
	memset(&cmd, 0, sizeof(cmd));
	if (strncmp(line, "quit", 4) == 0) return 1;
	if (strncmp(line, "state", 5) == 0) {
		print_state(ctx);
	} else if (sscanf(line, "led %u %u %u %u %u %u %u %u %u %u %u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10]) == 11) {
		cmd.id = OSDP_CMD_LED;
		cmd.led.temporary.control_code = v[0];
		cmd.led.temporary.on_count = v[1];
		cmd.led.temporary.off_count = v[2];
		cmd.led.temporary.on_color = v[3];
		cmd.led.temporary.off_color = v[4];
		cmd.led.temporary.timer_count = v[5];
		cmd.led.permanent.control_code = v[6];
		cmd.led.permanent.on_count = v[7];
		cmd.led.permanent.off_count = v[8];
		cmd.led.permanent.on_color = v[9];
		cmd.led.permanent.off_color = v[10];
		submit(ctx, &cmd, "led");
	} else if (sscanf(line, "buzzer %u %u %u %u", &v[0], &v[1], &v[2], &v[3]) == 4) {
		cmd.id = OSDP_CMD_BUZZER;
		cmd.buzzer.control_code = v[0];
		cmd.buzzer.on_count = v[1];
		cmd.buzzer.off_count = v[2];
		cmd.buzzer.rep_count = v[3];
		submit(ctx, &cmd, "buzzer");
	} else if (sscanf(line, "output %u %u %u", &v[0], &v[1], &v[2]) == 3) {
		cmd.id = OSDP_CMD_OUTPUT;
		cmd.output.output_no = v[0];
		cmd.output.control_code = v[1];
		cmd.output.timer_count = v[2];
		submit(ctx, &cmd, "output");
	} else if (sscanf(line, "comset %u %u", &v[0], &v[1]) == 2) {
		cmd.id = OSDP_CMD_COMSET;
		cmd.comset.address = v[0];
		cmd.comset.baud_rate = v[1];
		submit(ctx, &cmd, "comset");
	} else if (strncmp(line, "status ", 7) == 0) {
		cmd.id = OSDP_CMD_STATUS;
		cmd.status.type = strncmp(line + 7, "input", 5) == 0 ? OSDP_STATUS_REPORT_INPUT
				  : strncmp(line + 7, "output", 6) == 0 ? OSDP_STATUS_REPORT_OUTPUT
									 : OSDP_STATUS_REPORT_LOCAL;
		submit(ctx, &cmd, "status");
	} else {
		int consumed = 0;
		if (sscanf(line, "text %u %u %n", &v[0], &v[1], &consumed) == 2 && consumed > 0) {
			const char *text = line + consumed;
			size_t length = strlen(text);
			if (length > OSDP_CMD_TEXT_MAX_LEN) length = OSDP_CMD_TEXT_MAX_LEN;
			cmd.id = OSDP_CMD_TEXT;
			cmd.text.control_code = v[0];
			cmd.text.temp_time = v[1];
			cmd.text.length = (uint8_t)length;
			memcpy(cmd.text.data, text, length);
			submit(ctx, &cmd, "text");
		} else {
			printf("{\"event\":\"error\",\"message\":\"unknown command\"}\n");
			fflush(stdout);
		}
	}
	return 0;
}

static int parse_key(const char *hex, uint8_t key[16])
{
	if (strlen(hex) != 32) return -1;
	for (int i = 0; i < 16; i++) {
		unsigned byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1) return -1;
		key[i] = (uint8_t)byte;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int address = 0, baud = 9600, log_level = OSDP_LOG_WARNING, flags = OSDP_FLAG_ENABLE_NOTIFICATION;
	uint8_t scbk[16];
	int have_key = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fd") == 0 && i + 1 < argc) line_fd = atoi(argv[++i]);
		else if (strcmp(argv[i], "--address") == 0 && i + 1 < argc) address = atoi(argv[++i]);
		else if (strcmp(argv[i], "--baud") == 0 && i + 1 < argc) baud = atoi(argv[++i]);
		else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) log_level = atoi(argv[++i]);
		else if (strcmp(argv[i], "--enforce-secure") == 0) flags |= OSDP_FLAG_ENFORCE_SECURE;
		else if (strcmp(argv[i], "--scbk") == 0 && i + 1 < argc) {
			if (parse_key(argv[++i], scbk) != 0) {
				fprintf(stderr, "--scbk needs 32 hexadecimal digits\n");
				return 2;
			}
			have_key = 1;
		} else {
			fprintf(stderr, "unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (line_fd < 0) {
		fprintf(stderr, "--fd is required\n");
		return 2;
	}
	fcntl(line_fd, F_SETFL, fcntl(line_fd, F_GETFL) | O_NONBLOCK);
	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);

	osdp_logger_init("libosdp-cp", log_level, NULL);
	osdp_pd_info_t info = {
		.name = "lintel",
		.baud_rate = baud,
		.address = address,
		.flags = flags,
		.scbk = have_key ? scbk : NULL,
	};
	struct osdp_channel channel = { .data = NULL, .recv = channel_recv, .send = channel_send, .flush = channel_flush };
	osdp_t *ctx = osdp_cp_setup(&channel, 1, &info);
	if (ctx == NULL) {
		fprintf(stderr, "osdp_cp_setup failed\n");
		return 1;
	}
	osdp_cp_set_event_callback(ctx, on_event, NULL);
	osdp_cp_set_command_completion_callback(ctx, on_command_done, NULL);
	printf("{\"event\":\"ready\",\"version\":\"%s\"}\n", osdp_get_version());
	fflush(stdout);

	char pending[1024];
	size_t used = 0;
	for (;;) {
		osdp_cp_refresh(ctx);
		struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = line_fd, .events = POLLIN } };
		/* At most 5 ms between refreshes (libosdp asks for one every 50 ms at least); sooner when bytes arrive. */
		poll(fds, 2, 5);
		/* A hung-up line (the PD side closed) polls ready at once: wait instead of spinning until it reopens. */
		if (fds[1].revents & (POLLHUP | POLLERR)) usleep(5000);
		if (fds[0].revents & (POLLNVAL | POLLERR)) break; /* no stdin: nobody to take commands from */
		if (fds[0].revents & (POLLIN | POLLHUP)) {
			ssize_t got = read(STDIN_FILENO, pending + used, sizeof(pending) - 1 - used);
			if (got == 0) break; /* the test closed stdin */
			if (got > 0) used += (size_t)got;
			char *newline;
			while ((newline = memchr(pending, '\n', used)) != NULL) {
				*newline = '\0';
				int quit = run_line(ctx, pending);
				size_t rest = used - (size_t)(newline + 1 - pending);
				memmove(pending, newline + 1, rest);
				used = rest;
				if (quit) goto done;
			}
			if (used == sizeof(pending) - 1) used = 0;
		}
	}
done:
	osdp_cp_teardown(ctx);
	return 0;
}

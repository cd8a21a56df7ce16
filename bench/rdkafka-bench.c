/* A small librdkafka client for the broker benchmark, where kcat's own per-message work (formatting,
 * printing) would be what is measured:
 *   rdkafka-bench consume BOOTSTRAP TOPIC PARTITIONS COUNT      reads COUNT records from the beginning
 *   rdkafka-bench latency BOOTSTRAP TOPIC RATE SECONDS ACKS     produces at RATE/s, times each delivery
 *     (BOOTSTRAP "mock": librdkafka's in-process mock broker, as a same-run baseline)
 * Prints one JSON object on stdout. Built by bench/broker.ts with `cc -O2 ... -lrdkafka`. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "config %s=%s: %s\n", key, value, err);
    exit(2);
  }
}

static int consume(const char *bootstrap, const char *topic, int partitions, long expected) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "group.id", "sluice-bench");
  set(conf, "enable.auto.commit", "false");
  set(conf, "fetch.max.bytes", "52428800");
  set(conf, "max.partition.fetch.bytes", "8388608");
  set(conf, "queued.min.messages", "1000000");
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) { fprintf(stderr, "%s\n", err); return 1; }
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++)
    rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);  /* manual assignment: no group protocol in the timing */
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
  static rd_kafka_message_t *batch[10000];
  long count = 0, bytes = 0;
  double start = 0, deadline = now_s() + 120;
  while (count < expected && now_s() < deadline) {
    ssize_t got = rd_kafka_consume_batch_queue(queue, 1000, batch, 10000);
    for (ssize_t i = 0; i < got; i++) {
      if (!batch[i]->err) {
        if (start == 0) start = now_s();
        count++;
        bytes += (long)batch[i]->len;
      }
      rd_kafka_message_destroy(batch[i]);
    }
  }
  double seconds = now_s() - start;
  printf("{\"records\":%ld,\"bytes\":%ld,\"seconds\":%.6f}\n", count, bytes, seconds);
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return count == expected ? 0 : 1;
}

static double *latencies;
static long delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk; (void)opaque;
  if (!m->_private) return; /* the warm-up record */
  if (m->err) { failed++; return; }
  double sent = *(double *)m->_private;
  latencies[delivered++] = (now_s() - sent) * 1000.0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int latency(const char *bootstrap, const char *topic, long rate, double seconds, const char *acks) {
  char err[512];
  long total = (long)(rate * seconds);
  latencies = calloc((size_t)total, sizeof(double));
  double *sent = calloc((size_t)total, sizeof(double));
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* "mock" runs against librdkafka's in-process mock broker: the client's own floor on this machine. */
  if (strcmp(bootstrap, "mock") == 0)
    set(conf, "test.mock.num.brokers", "1");
  else
    set(conf, "bootstrap.servers", bootstrap);
  set(conf, "acks", acks);
  set(conf, "linger.ms", "0");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) { fprintf(stderr, "%s\n", err); return 1; }
  char payload[100];
  memset(payload, 'x', sizeof payload);
  /* Warm up: metadata and connection before the clock starts. */
  rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, sizeof payload), RD_KAFKA_V_END);
  rd_kafka_flush(rk, 10000);
  delivered = 0;
  /* Paced in 1 ms ticks: each tick sends what is due, then waits in rd_kafka_poll (serving delivery reports)
   * rather than spinning, so the driver does not take a core from the broker on a small machine. */
  double start = now_s();
  long i = 0;
  while (i < total) {
    double t = now_s();
    long due = (long)((t - start) * (double)rate) + 1;
    if (due > total) due = total;
    for (; i < due; i++) {
      sent[i] = now_s();
      if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                            RD_KAFKA_V_VALUE(payload, sizeof payload), RD_KAFKA_V_OPAQUE(&sent[i]),
                            RD_KAFKA_V_END))
        failed++;
    }
    double next = start + (double)(i + 1) / (double)rate;
    int wait_ms = (int)((next - now_s()) * 1000.0);
    rd_kafka_poll(rk, wait_ms > 1 ? 1 : (wait_ms < 0 ? 0 : wait_ms));
  }
  rd_kafka_flush(rk, 30000);
  double elapsed = now_s() - start;
  qsort(latencies, (size_t)delivered, sizeof(double), cmp);
  double p50 = delivered ? latencies[delivered / 2] : -1;
  double p99 = delivered ? latencies[(long)(delivered * 0.99)] : -1;
  printf("{\"rate\":%.1f,\"delivered\":%ld,\"failed\":%ld,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
         delivered / elapsed, delivered, failed, p50, p99);
  rd_kafka_destroy(rk);
  return 0; /* failures (e.g. a full local queue) are reported in the JSON, not as an exit code */
}

int main(int argc, char **argv) {
  if (argc == 6 && strcmp(argv[1], "consume") == 0)
    return consume(argv[2], argv[3], atoi(argv[4]), atol(argv[5]));
  if (argc == 7 && strcmp(argv[1], "latency") == 0)
    return latency(argv[2], argv[3], atol(argv[4]), atof(argv[5]), argv[6]);
  fprintf(stderr, "usage: rdkafka-bench consume BOOTSTRAP TOPIC PARTITIONS COUNT\n"
                  "       rdkafka-bench latency BOOTSTRAP TOPIC RATE SECONDS ACKS\n");
  return 2;
}

# One consumer-group member for the group compat tests, driven by confluent-kafka or kafka-python.
# Prints JSON lines (assignments from the client's own rebalance callback, every record); SIGTERM = clean close.
# Usage: /usr/bin/python3 groups_member.py <ck-member|kp-member|ck-committed|kp-committed> '<json request>'
import json
import signal
import sys

running = True


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def stop(_signum, _frame):
    global running
    running = False


def record_event(partition, offset, value):
    return {"ev": "record", "p": partition, "o": offset, "v": value.decode()}


# ---- confluent-kafka (librdkafka) ----

def ck_config(req):
    return {
        "bootstrap.servers": req["bootstrap"],
        "group.id": req["group"],
        "client.id": req.get("client_id", "ck-member"),
        "session.timeout.ms": req.get("session_timeout_ms", 6000),
        "heartbeat.interval.ms": 1000,
        "max.poll.interval.ms": 30000,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
        "auto.commit.interval.ms": 1000,
    }


def ck_member(req):
    from confluent_kafka import Consumer
    consumer = Consumer(ck_config(req))

    def on_assign(_consumer, partitions):
        emit({"ev": "assigned", "partitions": sorted(tp.partition for tp in partitions)})

    def on_revoke(_consumer, partitions):
        emit({"ev": "revoked", "partitions": sorted(tp.partition for tp in partitions)})

    consumer.subscribe([req["topic"]], on_assign=on_assign, on_revoke=on_revoke)
    while running:
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            emit({"ev": "error", "error": str(msg.error())})
            continue
        emit(record_event(msg.partition(), msg.offset(), msg.value()))
    # The clean close: commit what was consumed, then leave the group.
    try:
        consumer.commit(asynchronous=False)
    except Exception as err:  # nothing consumed since the last auto-commit answers _NO_OFFSET
        emit({"ev": "commit-error", "error": str(err)})
    consumer.close()
    emit({"ev": "closed"})


def ck_committed(req):
    from confluent_kafka import Consumer, TopicPartition
    consumer = Consumer(ck_config(req))
    tps = [TopicPartition(req["topic"], p) for p in range(req["partitions"])]
    result = consumer.committed(tps, timeout=30)
    consumer.close()
    emit({"offsets": [tp.offset for tp in sorted(result, key=lambda tp: tp.partition)]})


# ---- kafka-python ----

def kp_consumer(req, **extra):
    from kafka import KafkaConsumer
    return KafkaConsumer(
        bootstrap_servers=[req["bootstrap"]],
        group_id=req["group"],
        client_id=req.get("client_id", "kp-member"),
        session_timeout_ms=req.get("session_timeout_ms", 6000),
        heartbeat_interval_ms=1000,
        max_poll_interval_ms=30000,
        request_timeout_ms=40000,
        auto_offset_reset="earliest",
        enable_auto_commit=True,
        auto_commit_interval_ms=1000,
        **extra,
    )


def kp_member(req):
    from kafka import ConsumerRebalanceListener

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            emit({"ev": "revoked", "partitions": sorted(tp.partition for tp in revoked)})

        def on_partitions_assigned(self, assigned):
            emit({"ev": "assigned", "partitions": sorted(tp.partition for tp in assigned)})

    consumer = kp_consumer(req)
    consumer.subscribe(topics=[req["topic"]], listener=Listener())
    while running:
        batches = consumer.poll(timeout_ms=200)
        for records in batches.values():
            for r in records:
                emit(record_event(r.partition, r.offset, r.value))
    consumer.commit()
    consumer.close(autocommit=False)
    emit({"ev": "closed"})


def kp_committed(req):
    from kafka import TopicPartition
    consumer = kp_consumer(req)
    offsets = [consumer.committed(TopicPartition(req["topic"], p)) for p in range(req["partitions"])]
    consumer.close(autocommit=False)
    emit({"offsets": [-1001 if o is None else o for o in offsets]})


COMMANDS = {
    "ck-member": ck_member,
    "kp-member": kp_member,
    "ck-committed": ck_committed,
    "kp-committed": kp_committed,
}

if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))

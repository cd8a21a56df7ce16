# Python side of the compat suite: drives confluent-kafka and kafka-python from one JSON request on stdin
# and prints one JSON answer as the last stdout line. Run with the Debian /usr/bin/python3.
import json
import sys
import time


def b(s):
    return None if s is None else s.encode()


def s(v):
    return None if v is None else v.decode()


# ---- confluent-kafka (librdkafka) ----

def ck_produce(req):
    from confluent_kafka import Producer
    conf = {
        "bootstrap.servers": req["bootstrap"],
        "compression.codec": req.get("codec", "none"),
        "acks": str(req.get("acks", "all")),
        "linger.ms": 5,
    }
    producer = Producer(conf)
    offsets = []
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            offsets.append(msg.offset())

    for r in req["records"]:
        headers = [(k, b(v)) for k, v in r.get("headers", [])]
        kwargs = {"partition": req.get("partition", 0), "on_delivery": on_delivery, "headers": headers}
        if r.get("timestamp") is not None:
            kwargs["timestamp"] = r["timestamp"]
        producer.produce(req["topic"], value=b(r["value"]), key=b(r.get("key")), **kwargs)
        producer.poll(0)
    left = producer.flush(30)
    return {"offsets": offsets, "errors": errors, "unflushed": left}


def ck_consumer(bootstrap):
    from confluent_kafka import Consumer
    # group.id is only set because this client version insists on one; assign() never joins the group.
    return Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "sluice-compat-unused",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    })


def ck_consume(req):
    from confluent_kafka import KafkaError, TopicPartition
    consumer = ck_consumer(req["bootstrap"])
    consumer.assign([TopicPartition(req["topic"], req.get("partition", 0), req.get("offset", 0))])
    out = []
    deadline = time.time() + req.get("timeout_s", 30)
    while time.time() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                break
            raise RuntimeError(str(msg.error()))
        out.append({
            "offset": msg.offset(),
            "key": s(msg.key()),
            "value": s(msg.value()),
            "headers": [[k, s(v)] for k, v in (msg.headers() or [])],
            "timestamp": msg.timestamp()[1],
            "timestamp_type": msg.timestamp()[0],
        })
    consumer.close()
    return {"records": out}


def ck_offsets_for_times(req):
    from confluent_kafka import TopicPartition
    consumer = ck_consumer(req["bootstrap"])
    result = []
    for ts in req["timestamps"]:
        tps = consumer.offsets_for_times([TopicPartition(req["topic"], req.get("partition", 0), ts)], 15)
        result.append(tps[0].offset)
    consumer.close()
    return {"offsets": result}


def ck_load(req):
    # Produces until killed, printing "offset value" for every acknowledged record as soon as it is acked.
    from confluent_kafka import Producer
    producer = Producer({
        "bootstrap.servers": req["bootstrap"],
        "acks": "all",
        "linger.ms": 2,
        "message.timeout.ms": 600000,
    })

    def on_delivery(err, msg):
        if err is None:
            sys.stdout.write("%d %s\n" % (msg.offset(), msg.value().decode()))
            sys.stdout.flush()

    i = 0
    while True:
        try:
            producer.produce(req["topic"], value=b"load-%09d" % i, partition=0, on_delivery=on_delivery)
            i += 1
        except BufferError:
            producer.poll(0.05)
        producer.poll(0)
        if i % 100 == 0:
            producer.poll(0.005)


# ---- kafka-python ----

def kp_produce(req):
    from kafka import KafkaProducer
    codec = req.get("codec", "none")
    producer = KafkaProducer(
        bootstrap_servers=[req["bootstrap"]],
        compression_type=None if codec == "none" else codec,
        acks=req.get("acks", "all"),
        linger_ms=5,
    )
    futures = []
    for r in req["records"]:
        headers = [(k, b(v)) for k, v in r.get("headers", [])]
        futures.append(producer.send(
            req["topic"], value=b(r["value"]), key=b(r.get("key")), headers=headers,
            partition=req.get("partition", 0), timestamp_ms=r.get("timestamp"),
        ))
    producer.flush(30)
    offsets = [f.get(timeout=30).offset for f in futures]
    producer.close(10)
    return {"offsets": offsets}


def kp_consumer(req):
    from kafka import KafkaConsumer
    return KafkaConsumer(bootstrap_servers=[req["bootstrap"]], group_id=None, enable_auto_commit=False)


def kp_consume(req):
    from kafka import TopicPartition
    consumer = kp_consumer(req)
    tp = TopicPartition(req["topic"], req.get("partition", 0))
    consumer.assign([tp])
    consumer.seek(tp, req.get("offset", 0))
    end = consumer.end_offsets([tp])[tp]
    out = []
    deadline = time.time() + req.get("timeout_s", 30)
    while consumer.position(tp) < end and time.time() < deadline:
        for msgs in consumer.poll(timeout_ms=1000).values():
            for m in msgs:
                out.append({
                    "offset": m.offset,
                    "key": s(m.key),
                    "value": s(m.value),
                    "headers": [[k, s(v)] for k, v in (m.headers or [])],
                    "timestamp": m.timestamp,
                    "timestamp_type": m.timestamp_type,
                })
    consumer.close()
    return {"records": out, "end_offset": end}


def kp_offsets_for_times(req):
    from kafka import TopicPartition
    consumer = kp_consumer(req)
    tp = TopicPartition(req["topic"], req.get("partition", 0))
    result = []
    for ts in req["timestamps"]:
        found = consumer.offsets_for_times({tp: ts})[tp]
        result.append(None if found is None else found.offset)
    consumer.close()
    return {"offsets": result}


COMMANDS = {
    "ck-produce": ck_produce, "ck-consume": ck_consume, "ck-offsets-for-times": ck_offsets_for_times,
    "ck-load": ck_load, "kp-produce": kp_produce, "kp-consume": kp_consume,
    "kp-offsets-for-times": kp_offsets_for_times,
}

if __name__ == "__main__":
    request = json.loads(sys.stdin.read() or "{}")
    print(json.dumps(COMMANDS[sys.argv[1]](request)))

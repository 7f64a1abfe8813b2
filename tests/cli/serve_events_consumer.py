#!/usr/bin/python3
"""A third-party consumer of Tandem's events topic (confluent-kafka, a consumer group), as a
downstream system would write it. Reads until it has `expected` events or times out, then checks
what Tandem promises consumers: every record has the tandem.* headers, per partition global
positions strictly increase, per key (stream) they increase too, and every tenant's events are
on one partition. Prints one summary line; exits 1 with the first problem.

usage: serve_events_consumer.py BOOTSTRAP TOPIC EXPECTED [TIMEOUT_SECONDS]
"""
import sys
import time

from confluent_kafka import Consumer, KafkaError

HEADERS = ["tandem.event_type", "tandem.schema_version", "tandem.tenant",
           "tandem.global_position", "tandem.event_id", "tandem.format"]


def fail(message):
    print("serve_events_consumer: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    bootstrap, topic, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 30.0
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "serve-test-python",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    records = []
    deadline = time.time() + timeout
    while len(records) < expected and time.time() < deadline:
        m = consumer.poll(0.2)
        if m is None:
            continue
        if m.error():
            if m.error().code() != KafkaError._PARTITION_EOF:
                fail("consumer error: %s" % m.error())
            continue
        records.append(m)
    # A moment more: anything beyond `expected` is a duplicate.
    end = time.time() + 1.0
    while time.time() < end:
        m = consumer.poll(0.2)
        if m is not None and not m.error():
            records.append(m)
    consumer.close()

    if len(records) != expected:
        fail("read %d events, expected %d" % (len(records), expected))
    last_by_partition, last_by_key, partition_of_tenant = {}, {}, {}
    positions = set()
    for m in records:
        headers = {k: v.decode() for k, v in (m.headers() or [])}
        missing = [h for h in HEADERS if h not in headers]
        if missing:
            fail("record at %d/%d lacks headers %s" % (m.partition(), m.offset(), missing))
        if headers["tandem.format"] != "flatbuffers" or not m.value():
            fail("record at %d/%d is not a FlatBuffers event" % (m.partition(), m.offset()))
        position = int(headers["tandem.global_position"])
        key = m.key().decode()
        tenant = headers["tandem.tenant"]
        if not key.startswith(tenant + "/"):
            fail("key %s is not of tenant %s" % (key, tenant))
        if position in positions:
            fail("global position %d published twice" % position)
        positions.add(position)
        if position <= last_by_partition.get(m.partition(), 0):
            fail("partition %d goes back to position %d" % (m.partition(), position))
        last_by_partition[m.partition()] = position
        if position <= last_by_key.get(key, 0):
            fail("stream %s goes back to position %d" % (key, position))
        last_by_key[key] = position
        if partition_of_tenant.setdefault(tenant, m.partition()) != m.partition():
            fail("tenant %s is on two partitions" % tenant)
    if positions != set(range(1, expected + 1)):
        fail("positions are not 1..%d" % expected)
    print("python consumer: %d events, %d streams, %d partitions, in order" %
          (len(records), len(last_by_key), len(last_by_partition)))


if __name__ == "__main__":
    main()

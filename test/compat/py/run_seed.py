# Runs the seed's kafka-python producer unchanged but bounded: time.sleep is replaced before the seed
# imports it, so the seed's loop sends N messages back to back and then ends.
# Usage: run_seed.py SEED_PATH N
import os
import runpy
import sys
import threading
import time

import kafka

seed_path = os.path.abspath(sys.argv[1])
messages_wanted = int(sys.argv[2])
real_sleep = time.sleep
producers = []
RealProducer = kafka.KafkaProducer


class RecordingProducer(RealProducer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        producers.append(self)


calls = 0


def fake_sleep(seconds):
    global calls
    # kafka-python's own threads may sleep too; only the seed's loop is counted and cut short.
    caller = sys._getframe(1).f_code.co_filename
    if threading.current_thread() is not threading.main_thread() or os.path.abspath(caller) != seed_path:
        return real_sleep(seconds)
    calls += 1
    if calls >= messages_wanted:
        # The seed never flushes: send() only queues, and an interrupted loop could exit with records still
        # in the accumulator. Flushing here makes "N sleeps" mean "N messages delivered".
        for p in producers:
            p.flush(30)
            p.close(10)
        raise SystemExit(0)


time.sleep = fake_sleep
kafka.KafkaProducer = RecordingProducer
runpy.run_path(seed_path, run_name="__main__")

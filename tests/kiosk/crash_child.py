"""A recording process for the crash test: records trials and acknowledges each flush.

Usage: python crash_child.py STORE SESSION FIRST_TRIAL SEED

Prints ``READY`` once recording, then ``ACK <trial>`` after each trial's flush returned
(every fifth flush durable, like a game end). Runs until killed.
"""

from __future__ import annotations

import random
import sys
import time

from kiosk.recorder import Recorder
from kiosk.store import open_store


def main() -> None:
    store_path, session_id, first_trial, seed = sys.argv[1:5]
    rng = random.Random(int(seed))
    store = open_store(store_path, create=False)
    # Short idle waits and pauses inside trials, as in a real game, let the writer
    # commit parts of trials, so kills land before, during and after commits.
    recorder = Recorder(store, batch_max=64, idle_wait_s=0.002)
    print("READY", flush=True)
    trial = int(first_trial)
    while True:
        n = rng.randint(2, 40)
        recorder.emit(session_id, "trial_start", {"planned": n}, trial_index=trial)
        for i in range(n):
            recorder.emit(
                session_id,
                "response",
                {"i": i, "pad": "x" * rng.randint(0, 200)},
                trial_index=trial,
            )
            if rng.random() < 0.2:
                time.sleep(0.001)
        recorder.emit(session_id, "trial_end", {"n": n}, trial_index=trial)
        recorder.flush(durable=trial % 5 == 4)
        print(f"ACK {trial}", flush=True)
        trial += 1


if __name__ == "__main__":
    main()

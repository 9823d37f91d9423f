#!/usr/bin/env bash
# The crash harness, long form: SIGKILLs the real `herald serve` KILLS times (default 20) at
# random moments while three stories unfold page by page and their alerts fan out to
# SUBSCRIBERS (default 1000) on the strict push stand-in (which decrypts every push and checks
# its VAPID token); restarts it each time and checks `PRAGMA integrity_check` after every kill.
# At the end: every alert reached every subscriber, duplicates within the in-flight bound,
# each story sent exactly the alerts a crash-free replay of its pages sends.
#
#   bench/crash.sh [KILLS] [SUBSCRIBERS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export HERALD_CRASH_KILLS="${1:-20}" HERALD_CRASH_SUBSCRIBERS="${2:-1000}"
exec cargo test --locked --test crash_story -- --ignored --nocapture \
    many_kills_while_stories_unfold_lose_nothing

"""Log lines in the text format speak the shop's language (people read them beside the commands' output); JSON
lines keep the English message for machines."""

from __future__ import annotations

import json
import logging

from inden.logs import JsonFormatter, TextFormatter


def record(message: str, *args: object, level: int = logging.INFO, name: str = "inden.worker") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, message, args, None)


def test_an_indonesian_shop_reads_its_worker_log_in_indonesian() -> None:
    line = TextFormatter("id").format(record("worker started: a round every %s s; SIGTERM stops it after the "
                                             "current duty", 60.0))
    assert "INFO inden.worker: worker berjalan: satu putaran tiap 60.0 detik" in line
    failed = TextFormatter("id").format(record("audit found %s problem(s); the seller is alerted", 2,
                                               level=logging.ERROR))
    assert "GALAT inden.worker: audit menemukan 2 masalah" in failed


def test_english_and_json_keep_the_message_and_other_loggers_are_left_alone() -> None:
    message = "worker duty %s failed (%s in a row); retrying in %s s"
    assert "ERROR inden.worker: worker duty plan failed (1 in a row); retrying in 30 s" in TextFormatter("en").format(
        record(message, "plan", 1, 30, level=logging.ERROR))
    entry = json.loads(JsonFormatter().format(record(message, "plan", 1, 30, level=logging.ERROR)))
    assert entry["message"] == "worker duty plan failed (1 in a row); retrying in 30 s" and entry["level"] == "error"
    assert "INFO uvicorn.error: Started" in TextFormatter("id").format(record("Started", name="uvicorn.error"))

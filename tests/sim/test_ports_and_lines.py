"""How the simulated module's port behaves as a device: a USB port that vanishes at
resets behind a stable name, and a UART that carries no more than its line rate."""

import os
import subprocess
import sys
import threading
import time

import pytest

from atlink import AtChannel
from cassiopeia import Cassiopeia, cassiopeia_urc_table
from cassiopeia_sim import discard
from cassiopeia_sim.instances import module_for_url
from cassiopeia_sim.uart import BITS_PER_BYTE, UartPacer
from support.benches import served_simulator
from support.processes import spawn
from support.waiting import eventually


def serve(*args):
    return spawn(
        [sys.executable, "-m", "cassiopeia_sim.cli", "--profile", "fast", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


@pytest.fixture
def usb_pty(tmp_path):
    link = tmp_path / "ttyCassiopeia"
    with served_simulator("--usb", "--link", str(link)) as (device, _):
        assert device == str(link)
        yield device


def test_a_usb_port_vanishes_at_reset_and_its_stable_name_comes_back(usb_pty):
    module = Cassiopeia(usb_pty)
    try:
        module.wait_ready(10)
        seen_gone = threading.Event()

        def watch():  # the link is removed while the module re-enumerates
            end = time.monotonic() + 10
            while time.monotonic() < end and not seen_gone.is_set():
                if not os.path.lexists(usb_pty):
                    seen_gone.set()
                time.sleep(0.0005)

        watcher = threading.Thread(target=watch)
        watcher.start()
        mark = module.at.transcript.mark()
        module.reset(timeout=20)
        watcher.join()
        assert any(e.text.startswith("port lost") for e in module.at.transcript.since(mark))
        assert seen_gone.is_set()
        assert os.readlink(usb_pty).startswith("/dev/pts/")
        assert module.info.model() == "CB610L"
    finally:
        module.close()


def test_a_client_opening_during_the_reset_waits_for_the_port(usb_pty):
    with AtChannel(usb_pty, urc_table=cassiopeia_urc_table()) as at:
        at.command("ATE0", timeout=10)
        at.command("AT^RESET", timeout=10)
        eventually(lambda: at.lost, what="the port vanished")
        # opening fails while the link is gone: reopen keeps trying until the deadline
        at.reopen(timeout=20)
        at.command("ATE0", timeout=10)  # echo is back on after a reboot
        assert at.command("AT+CGMM", timeout=10).lines == ["CB610L"]


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["--pty", "--usb"], "needs --link"),
        (["--tcp", "0", "--link", "/tmp/x"], "--link needs --pty"),
        (["--pty", "--baud", "0"], "positive line rate"),
    ],
)
def test_the_command_line_refuses_what_cannot_work(args, complaint):
    proc = serve(*args)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and complaint in err


# ---------------------------------------------------------------- UART line rate
def test_the_pacer_keeps_order_and_never_beats_the_line_rate():
    got, done = bytearray(), threading.Event()
    payload = bytes(range(256)) * 4  # 1,024 bytes at 19,200 baud: 0.53 s on the wire

    def sink(chunk):
        got.extend(chunk)
        if len(got) == len(payload):
            done.set()

    pacer = UartPacer(sink, 19200)
    start = time.monotonic()
    for i in range(0, len(payload), 100):
        pacer.write(payload[i : i + 100])
    assert done.wait(10)
    elapsed = time.monotonic() - start
    pacer.close()
    assert bytes(got) == payload
    # a lower bound: only a slower run is possible
    assert elapsed >= 0.9 * len(payload) * BITS_PER_BYTE / 19200


def test_closing_the_line_drops_what_was_on_it():
    got = bytearray()
    pacer = UartPacer(got.extend, 1200)  # 120 bytes a second: 600 bytes are 5 s of line
    pacer.write(b"x" * 600)
    pacer.close()
    time.sleep(0.2)  # what a closed line would still deliver, it would deliver by now
    assert len(got) < 600
    with pytest.raises(ValueError):
        UartPacer(got.extend, 0)


def test_a_sim_url_with_a_baud_rate_answers_at_that_rate():
    url = "sim://paced?profile=fast&locked=0&baud=9600"
    try:
        assert module_for_url(url).baud == 9600
        with AtChannel(url) as at:
            at.command("ATE0", timeout=10)
            r = at.command("AT+CPINR", timeout=10)
            wire = sum(len(line) + 2 for line in r.lines) + len("\r\nOK\r\n")
            assert r.elapsed >= 0.9 * wire * BITS_PER_BYTE / 9600
    finally:
        discard("paced")
    with pytest.raises(ValueError, match="baud"):
        module_for_url("sim://badbaud?baud=fast")


def test_a_paced_module_resets_only_once_its_ok_has_left_the_line():
    url = "sim://slowline?profile=fast&locked=0&baud=1200"  # 120 bytes a second: an OK takes 50 ms
    try:
        with AtChannel(url, urc_table=cassiopeia_urc_table()) as at:
            at.command("ATE0", timeout=10)
            assert at.command("AT^RESET", timeout=10).ok  # not cut by the reset that follows it
            eventually(lambda: at.lost, what="the USB port dropped after the OK")
    finally:
        discard("slowline")


def test_the_line_says_when_everything_written_has_left_it():
    got, seen_at_callback, done = bytearray(), [], threading.Event()
    pacer = UartPacer(got.extend, 9600)  # 960 bytes a second
    pacer.write(b"y" * 96)
    pacer.when_drained(lambda: (seen_at_callback.append(len(got)), done.set()))
    assert done.wait(10)
    assert seen_at_callback == [
        96
    ]  # called after the last byte, not on an estimate of when it would be
    again = threading.Event()
    pacer.when_drained(again.set)  # an idle line calls back at once
    assert again.is_set()
    pacer.close()

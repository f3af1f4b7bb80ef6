import itertools
import signal

import pytest
import serial

from atlink import AtChannel
from support.fake_device import PtyDevice, Script
from support.urlhandler import protocol_fake

pytest_plugins = ["pytester"]

serial.protocol_handler_packages.append("support.urlhandler")


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    # SIGTERM (a CI job's timeout) ends the run as Ctrl-C does: fixtures tear down and stop the
    # processes and servers they started (support/processes.py covers a run killed outright)
    signal.signal(signal.SIGTERM, _interrupted)


_names = itertools.count()

# every client test runs over a real pty and over in-process ports that deliver
# the module's bytes 1, 2 and 7 at a time
TRANSPORTS = ["pty", "chunk1", "chunk2", "chunk7"]


@pytest.fixture(params=TRANSPORTS)
def transport(request):
    return request.param


@pytest.fixture
def connect(transport):
    """connect(replies, echo=False) -> (AtChannel, Script) over the parametrised transport."""
    opened = []

    def _connect(replies=None, echo=False, **channel_kwargs):
        script = Script(replies, echo=echo)
        if transport == "pty":
            device = PtyDevice(script)
            url = device.path
            script.vanish = device.vanish
            opened.append(device)
        else:
            name = f"dev{next(_names)}"
            protocol_fake.DEVICES[name] = script
            url = f"fake://{name}?chunk={transport[5:]}"
        channel = AtChannel(url, **channel_kwargs)
        opened.append(channel)
        return channel, script

    yield _connect
    for thing in reversed(opened):
        thing.close()

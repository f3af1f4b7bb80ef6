"""Small helpers of the simulator tests."""


def reboot(at, control, timeout: float = 5.0) -> None:
    """Reset the simulated module, reopen its port and wait until it answers again."""
    control.reboot()
    at.reopen(timeout=timeout)
    at.command("AT", timeout=timeout)

"""The conformance suites' plugins: bench, capabilities, use cases, modem, probe, reports.

Their options (fixtures/options.py) are a pytest11 entry point of the installed project,
known before pytest reads its command line.
"""

pytest_plugins = [
    "fixtures.secrets",
    "fixtures.bench",
    "fixtures.capabilities",
    "fixtures.usecases",
    "fixtures.checks",
    "fixtures.probe",
    "fixtures.modem",
    "fixtures.firmware",
    "fixtures.servers",
    "fixtures.peer",
    "fixtures.recording",
    "fixtures.reports",
    "fixtures.acceptance",
]

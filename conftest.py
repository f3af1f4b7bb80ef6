"""The conformance suites' plugins: options, bench, capabilities, use cases, modem, probe,
reports."""

pytest_plugins = [
    "fixtures.options",
    "fixtures.secrets",
    "fixtures.bench",
    "fixtures.capabilities",
    "fixtures.usecases",
    "fixtures.probe",
    "fixtures.modem",
    "fixtures.firmware",
    "fixtures.servers",
    "fixtures.peer",
    "fixtures.recording",
    "fixtures.reports",
    "fixtures.acceptance",
]

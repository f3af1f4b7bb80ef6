"""The conformance suites' plugins: options, bench, capabilities, use cases, modem, reports."""

pytest_plugins = [
    "fixtures.options",
    "fixtures.bench",
    "fixtures.capabilities",
    "fixtures.usecases",
    "fixtures.modem",
    "fixtures.firmware",
    "fixtures.servers",
    "fixtures.peer",
    "fixtures.reports",
    "fixtures.acceptance",
]

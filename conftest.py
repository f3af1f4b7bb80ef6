"""The conformance suites' plugins: bench, capabilities, use cases, modem, probe, reports.

Their options (fixtures/options.py) are a pytest11 entry point of the installed project,
known before pytest reads its command line.
"""

# in import order: a plugin another one imports comes first (pytest rewrites the asserts of
# a plugin only if it registers it before anything imports it)
pytest_plugins = [
    "fixtures.usecases",
    "fixtures.checks",
    "fixtures.secrets",
    "fixtures.recording",
    "fixtures.bench",
    "fixtures.capabilities",
    "fixtures.probe",
    "fixtures.modem",
    "fixtures.servers",
    "fixtures.firmware",
    "fixtures.peer",
    "fixtures.reports",
    "fixtures.acceptance",
]

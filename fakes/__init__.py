"""Stand-ins for the outside services licensebot talks to, for tests, benchmarks and the playground."""

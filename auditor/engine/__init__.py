"""The rule engine: packs, the condition language, the metrics workspace and catalogue, and
the one dispatcher of every rule (evaluated or check); explain and the rules' test cases."""

"""onboardd: the contractor-onboarding mailbox daemon."""

__version__ = "0.1.0"

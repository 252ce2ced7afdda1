"""The audit trail: who changed what security-relevant thing, when, from which device."""

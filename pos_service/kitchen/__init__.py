"""The kitchen: routing sent lines to stations, display screens, courses and the pass."""

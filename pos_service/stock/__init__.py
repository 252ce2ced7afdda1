"""Stock: ingredients (or whole items) on hand, recipes, consumption by sends, counts.

Depends on ``menu`` and ``orders``; ``kitchen`` calls :func:`service.consume` in its send.
"""

"""Renderings of one architecture graph: normalised model, diagrams, reports and templates."""

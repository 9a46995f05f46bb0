"""Rendering of evaluation results: JSON for tools, tables for people."""

"""Readers and writers for the file formats the toolkit speaks (TextGrid, CTM, TIMIT labels)."""

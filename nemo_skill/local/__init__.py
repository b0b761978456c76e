"""The embedded local backend: the NemoVideo contract served offline (extra ``[local]``)."""

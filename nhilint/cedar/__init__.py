"""Cedar policies: the located model (`ast`) and the position-keeping reader (`parser`).

Only `ast` is imported by rules; `parser` is imported by the Cedar source when a `.cedar`
file is read. Neither imports cedarpy: the source asks cedarpy for semantics (parse
errors, schema validation), this package for positions.
"""

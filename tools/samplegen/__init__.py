"""The generators of the bundled sample reports and their truth files; run from a checkout.

They live outside the wheel (only tests and the docs use them; the files they wrote ship in
`sample_reports/`): `python -m tools.samplegen.shop`, `.leadgen`, `.splits`, `.tracking`.
"""

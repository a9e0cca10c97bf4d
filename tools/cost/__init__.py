"""``make cost``: what each user action of the reference app costs, per stage, what each
stage costs idle, and how far each entry point scales; from the synthesized templates, the
handlers' AWS calls counted against moto and the dated price table in :mod:`prices`."""

"""Pictures from seedance2ai's image endpoints (GPT Image 2, Nano Banana Pro), paid by the same key
as its videos: `models` (request, job, files), `validation` (per-model refusals), `formats` (PNG
and JPEG read by content), `store` (the ledger's `images` table), `runner` (submit, poll, resume,
save) and `service` (what `engine.Service` forwards). The wire mapping is
`providers/seedance2ai_images.py`, the simulator's side `sandbox/images.py`."""

"""Films: a storyboard of shots rendered as ordinary jobs, checked, stitched into one MP4, and
handed back with a contact sheet, a manifest (`film.json`) and a static review page.

    manifest   the pydantic models of film.json (`FilmManifest`, `ShotRecord`)
    media      PyAV work on clips: probe, check, last frame, stitch, contact sheet
    review     the offline review page (index.html)
"""

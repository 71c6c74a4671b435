"""MLflow both ways: import MLflow's runs, datasets and registered models into Atlas
(:mod:`.importer`), and mirror an atlas-ml training run into MLflow (:mod:`.mirror`).

Both import ``mlflow`` (the ``mlflow`` extra) only when called.
"""

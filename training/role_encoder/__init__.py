"""Fine-tune a small sentence encoder on the job-role catalogue, so that a typed job title lands near the
titles of its occupation (docs/role_matching.md, "Fine-tuned encoder").

data.py reads the catalogue the seed holds, withholding a measured split; recipe.py is every
hyperparameter; train.py the contrastive loop; evaluate.py the nearest-titles vote; __main__.py the
command.
"""

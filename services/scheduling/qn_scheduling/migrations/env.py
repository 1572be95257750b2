from qn_infra.database import run_migrations_online
from qn_scheduling.db import Base, import_models

import_models()
run_migrations_online(Base.metadata)

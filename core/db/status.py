"""What `fluentpro db status` reports about a database, and what to run about it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Status:
    applied: list[str]
    pending: list[str]
    functions_changed: list[str]
    seeds_changed: list[str]
    # Applied migrations whose file differs from what was applied, with the first differing statement.
    drifted: list[str] = field(default_factory=list)
    # Functions a functions_sql file defined and no file defines any more: the next migrate drops them.
    orphaned: list[str] = field(default_factory=list)
    # Functions in api or private that no file creates and the migrator did not make: it leaves them be.
    unknown: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return not (
            self.pending
            or self.functions_changed
            or self.seeds_changed
            or self.drifted
            or self.orphaned
            or self.unknown
        )

    def next_steps(self) -> list[str]:
        """What to run, in words: `fluentpro db status` prints these under the list."""
        steps = []
        if self.drifted:
            steps.append(
                "edited migrations: restore each file as it was applied (`git log -p <file>`) and put the change in "
                "a new migration; on a development database, `fluentpro db reset` rebuilds it from the files"
            )
        if self.applied and not self.pending and (self.functions_changed or self.seeds_changed):
            missing = [what for what, flag in (("supabase/functions_sql/", self.functions_changed),
                                               ("seeds/", self.seeds_changed)) if flag]  # fmt: skip
            steps.append(
                f"half-built: the migrations are applied but {' and '.join(missing)} are not up to date (as "
                "`supabase start` and `supabase db reset` leave it: they apply only supabase/migrations/); "
                "run `fluentpro db migrate` (`make db-migrate`) with DATABASE_URL pointing at this database"
            )
        elif self.pending or self.functions_changed or self.seeds_changed or self.orphaned:
            steps.append("run `fluentpro db migrate` (`make db-migrate`) to bring this database up to date")
        if self.unknown:
            steps.append(
                "unknown functions: no file creates them (made by hand, or by a file since deleted), and PostgREST "
                "exposes those in api; drop them in a new migration, or define them in supabase/functions_sql/"
            )
        return steps

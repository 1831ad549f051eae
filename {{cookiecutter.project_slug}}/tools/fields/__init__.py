"""The `fields="..."` grammar of `make feature`, and what each field becomes.

A spec is fields separated by spaces, each `name:type[(arguments)][?][=default][!unique]`:

    title:str(1..200) notes:text? priority:int(1..5)=3 done:bool=false due:date?
    amount:decimal(12,2) kind:enum(low,high) code:str(1..20)!unique project:ref(projects)?

| type | arguments | column | JSON |
|---|---|---|---|
| `str` | `(min..max)` characters, default `(1..200)` | VARCHAR(max) | string |
| `text` | `(min..max)` characters, default `(0..2000)` | VARCHAR(max) | string |
| `int` | `(low..high)`, default a PostgreSQL INTEGER's range | INTEGER, BIGINT past it | integer |
| `bool` | | BOOLEAN | true or false |
| `date` | | DATE | `"YYYY-MM-DD"` |
| `datetime` | | TIMESTAMP WITH TIME ZONE | RFC 3339 with an offset |
| `decimal` | `(precision,scale)`, required | NUMERIC(precision, scale) | a string, `"-12.50"` |
| `uuid` | | UUID | string |
| `enum` | `(value,value,...)` | VARCHAR + CHECK IN | one of the values |
| `ref` | `(feature[,restrict|cascade|setnull])` | `<name>_id` UUID + FOREIGN KEY | the row's id |

`?` makes a field optional: nullable, `null` by default, and `null` in a PATCH
clears it. `=default` is what an omitted field takes (str, text, int, bool,
decimal and enum only; quote it if it has spaces: `status:str='to do'`).
`!unique` refuses a second row with the same value among the rows the caller
can see (per owner, per parent, or table-wide for a shared resource): 409.

A `ref` field `project:ref(projects)` is the column `project_id`, a foreign key
to `projects.id`, a top-level feature; an id the caller cannot see there
answers its 404. Deleting the row it names: `restrict` (the default) answers
409 while it is named, `cascade` deletes the rows naming it, `setnull` clears
the reference (optional refs only).

The modules: `grammar` reads a spec (or refuses it, one line naming the field),
`field_types` says what each type is, `model`, `schemas` and `service` render
those files' parts, `field_tests` the feature's tests of its fields.
"""

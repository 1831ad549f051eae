"""Every statement the reference app sends, in the exact text the service sends.

`make bench` proves the match from PostgreSQL's statement log before it
reports; when the service's SQL changes, change it here.
"""

ACTIVE_USER = (
    "SELECT users.id, users.email, users.full_name, users.is_active, users.created_at, users.is_superuser "
    "FROM users WHERE users.id = $1::UUID AND users.is_active"
)

TODO_PAGE = (
    "SELECT todos.id, todos.title, todos.description, todos.completed, todos.due_date, todos.created_at, "
    "todos.updated_at, (SELECT count(*) AS count_1 FROM todos WHERE todos.owner_id = $1::UUID) AS total "
    "FROM todos WHERE todos.owner_id = $1::UUID ORDER BY todos.created_at DESC, todos.id DESC LIMIT $2 OFFSET $3"
)

TODO_COUNT = "SELECT count(*) AS count_1 FROM todos WHERE todos.owner_id = $1::UUID"

TODO_BY_ID = (
    "SELECT todos.id, todos.title, todos.description, todos.completed, todos.due_date, todos.created_at, "
    "todos.updated_at FROM todos WHERE todos.id = $1::UUID AND todos.owner_id = $2::UUID"
)

INSERT_TODO = (
    "INSERT INTO todos (id, created_at, updated_at, owner_id, title, description, completed, due_date) "
    "VALUES ($1::UUID, $2::TIMESTAMP WITH TIME ZONE, $3::TIMESTAMP WITH TIME ZONE, $4::UUID, "
    "$5::VARCHAR, $6::VARCHAR, $7::BOOLEAN, $8::DATE) RETURNING todos.id, todos.title, todos.description, "
    "todos.completed, todos.due_date, todos.created_at, todos.updated_at"
)

COMPLETE_TODO = (
    "UPDATE todos SET updated_at=$1::TIMESTAMP WITH TIME ZONE, completed=$2::BOOLEAN "
    "WHERE todos.id = $3::UUID AND todos.owner_id = $4::UUID RETURNING todos.id, todos.title, "
    "todos.description, todos.completed, todos.due_date, todos.created_at, todos.updated_at"
)

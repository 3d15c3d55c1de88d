//! The person file as staff see it: the file kept by `people` with its care, composed here
//! (care builds on people, never the reverse): the page `/people/{id}`, the file in the API
//! with its care plan, and the person's own copy `/me/file.json`.

pub mod api;
pub mod pages;

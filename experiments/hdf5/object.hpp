#pragma once
// Groups and datasets of a results file, as thin owners of their HDF5 identifiers. Only what the results
// layout needs (experiments/results_file.hpp): attributes, scalar and 1-D string datasets, n-D numeric
// arrays, and 1-D datasets that grow by appending (spikes, epoch tables, weight snapshots), chunked at
// <= 1 MiB with shuffle + deflate (the sizes measured in ../shared/reference/results-sweeps-notebooks.md
// §1.3: larger chunks fed by small appends are recompressed again and again).
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "experiments/hdf5/handle.hpp"
#include "experiments/hdf5/native_type.hpp"

namespace qsnn::experiments::h5 {

struct Compression {
  bool shuffle = true;
  unsigned deflate_level = 1;  // 0: none
};

// Attributes, shared by groups and datasets. Setting an existing attribute replaces it.
class Object {
 public:
  hid_t id() const { return handle_.id(); }
  const std::string& path() const { return path_; }

  void set_attribute(const std::string& name, std::string_view text);
  void set_attribute(const std::string& name, const char* text) { set_attribute(name, std::string_view(text)); }
  void set_attribute(const std::string& name, const std::string& text) { set_attribute(name, std::string_view(text)); }
  template <class T>
    requires std::is_arithmetic_v<T>
  void set_attribute(const std::string& name, T value) {
    set_numeric_attribute(name, native_type<T>(), &value, 1, false);
  }
  template <class T>
  void set_attribute(const std::string& name, std::span<const T> values) {
    set_numeric_attribute(name, native_type<T>(), values.data(), values.size(), true);
  }
  // An int8 enum attribute, e.g. SONATA's sorting = {none, by_id, by_time}.
  void set_enum_attribute(const std::string& name, std::int8_t value, std::span<const std::string_view> names);

  bool has_attribute(const std::string& name) const;
  // Reading back (qsnn inspect, resume): a string attribute, or a scalar numeric one converted to T.
  std::string string_attribute(const std::string& name) const;
  template <class T>
    requires std::is_arithmetic_v<T>
  T numeric_attribute(const std::string& name) const {
    T value{};
    read_numeric_attribute(name, native_type<T>(), &value);
    return value;
  }
  std::vector<std::string> attribute_names() const;

 protected:
  Object(Handle handle, std::string path) : handle_(std::move(handle)), path_(std::move(path)) {}
  void close_handle(const std::string& what) { handle_.close(what); }

 private:
  void set_numeric_attribute(const std::string& name, hid_t type, const void* data, std::size_t count, bool array);
  void read_numeric_attribute(const std::string& name, hid_t type, void* value) const;
  void replace_attribute(const std::string& name, hid_t type, hid_t space, const void* data);

  Handle handle_;
  std::string path_;
};

class Dataset : public Object {
 public:
  Dataset(Handle handle, std::string path) : Object(std::move(handle), std::move(path)) {}
  std::vector<std::uint64_t> shape() const;
  // The whole dataset converted to T (HDF5 converts between numeric types).
  template <class T>
  std::vector<T> read() const {
    std::uint64_t count = 1;
    for (const auto d : shape()) count *= d;
    std::vector<T> values(count);
    read_raw(native_type<T>(), values.data());
    return values;
  }
  // A compound dataset read into rows of `type` (the caller's struct layout).
  void read_raw(hid_t type, void* out) const;
};

// A dataset that grows along its first dimension: 1-D (row_length 0) or rows of row_length elements
// (weight snapshots). The element type is a native numeric type or a compound type built by the caller
// (element_size bytes per element).
class AppendableDataset : public Dataset {
 public:
  AppendableDataset(Handle handle, std::string path, Handle memory_type, std::size_t element_size,
                    std::uint64_t rows, std::uint64_t row_length);
  // Elements, a whole number of rows.
  template <class T>
  void append(std::span<const T> values) {
    append_raw(values.data(), values.size(), sizeof(T));
  }
  std::uint64_t rows() const { return rows_; }

 private:
  void append_raw(const void* data, std::size_t count, std::size_t element_size);
  Handle memory_type_;
  std::size_t element_size_;
  std::uint64_t rows_;
  std::uint64_t row_length_;  // 0: one-dimensional
};

class Group : public Object {
 public:
  Group(Handle handle, std::string path) : Object(std::move(handle), std::move(path)) {}

  Group create_group(const std::string& name);
  Group open_group(const std::string& name) const;
  Dataset open_dataset(const std::string& name) const;
  bool contains(const std::string& name) const;
  std::vector<std::string> member_names() const;  // in HDF5's name order

  Dataset write_string(const std::string& name, std::string_view text);
  Dataset write_strings(const std::string& name, std::span<const std::string> texts);
  template <class T>
  Dataset write_array(const std::string& name, std::span<const T> data, std::vector<std::uint64_t> dims = {},
                      Compression compression = {}) {
    return write_array_raw(name, native_type<T>(), data.data(), data.size(), std::move(dims), compression);
  }
  template <class T>
  AppendableDataset create_appendable(const std::string& name, std::uint64_t row_length = 0,
                                      Compression compression = {}) {
    return create_appendable_raw(name, datatype_handle(H5Tcopy(native_type<T>()), "copy a numeric type"), sizeof(T),
                                 row_length, compression);
  }
  template <class T>
  AppendableDataset open_appendable(const std::string& name) const {
    return open_appendable_raw(name, datatype_handle(H5Tcopy(native_type<T>()), "copy a numeric type"), sizeof(T));
  }
  // `type` is the file and memory type (e.g. a compound type of the caller's row struct).
  AppendableDataset create_appendable_raw(const std::string& name, Handle type, std::size_t element_size,
                                          std::uint64_t row_length, Compression compression);
  AppendableDataset open_appendable_raw(const std::string& name, Handle type, std::size_t element_size) const;

 private:
  Dataset write_array_raw(const std::string& name, hid_t type, const void* data, std::size_t count,
                          std::vector<std::uint64_t> dims, Compression compression);
  std::string child(const std::string& name) const { return path() == "/" ? "/" + name : path() + "/" + name; }
};

}  // namespace qsnn::experiments::h5

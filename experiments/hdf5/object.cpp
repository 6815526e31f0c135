#include "experiments/hdf5/object.hpp"

#include <algorithm>
#include <array>

namespace qsnn::experiments::h5 {

namespace {

Handle scalar_space() { return dataspace_handle(H5Screate(H5S_SCALAR), "create a scalar dataspace"); }

Handle simple_space(std::span<const hsize_t> dims, std::span<const hsize_t> max_dims = {}) {
  return dataspace_handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(),
                                           max_dims.empty() ? nullptr : max_dims.data()),
                          "create a dataspace");
}

// Chunks of about 64 Ki elements, at most 1 MiB, and never more than the data (for fixed-size arrays).
std::vector<hsize_t> chunk_dims(std::span<const hsize_t> dims, std::size_t element_size, bool unlimited) {
  std::vector<hsize_t> chunk(dims.begin(), dims.end());
  const hsize_t limit = std::max<hsize_t>(1, (hsize_t{1} << 20) / std::max<std::size_t>(element_size, 1));
  hsize_t inner = 1;
  for (std::size_t d = 1; d < chunk.size(); ++d) inner *= std::max<hsize_t>(chunk[d], 1);
  const hsize_t leading = std::max<hsize_t>(1, std::min<hsize_t>(65536, limit / std::max<hsize_t>(inner, 1)));
  if (!chunk.empty()) chunk[0] = unlimited ? leading : std::clamp<hsize_t>(chunk[0], 1, leading);
  if (chunk.size() == 2) chunk[1] = std::min(chunk[1], limit);  // long rows (weight snapshots) split
  for (auto& c : chunk) c = std::max<hsize_t>(c, 1);
  return chunk;
}

Handle chunked_properties(std::span<const hsize_t> chunk, Compression compression) {
  Handle properties = property_handle(H5Pcreate(H5P_DATASET_CREATE), "create dataset properties");
  check(H5Pset_chunk(properties.id(), static_cast<int>(chunk.size()), chunk.data()), "set the chunk size");
  if (compression.shuffle) check(H5Pset_shuffle(properties.id()), "enable the shuffle filter");
  if (compression.deflate_level > 0)
    check(H5Pset_deflate(properties.id(), compression.deflate_level), "enable the deflate filter");
  return properties;
}

}  // namespace

void Object::replace_attribute(const std::string& name, hid_t type, hid_t space, const void* data) {
  if (has_attribute(name)) check(H5Adelete(id(), name.c_str()), "replace attribute '" + name + "' of " + path());
  Handle attribute = attribute_handle(H5Acreate2(id(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                                      "create attribute '" + name + "' of " + path());
  check(H5Awrite(attribute.id(), type, data), "write attribute '" + name + "' of " + path());
}

void Object::set_attribute(const std::string& name, std::string_view text) {
  const Handle type = utf8_string_type();
  const Handle space = scalar_space();
  const std::string value(text);
  const char* pointer = value.c_str();
  replace_attribute(name, type.id(), space.id(), &pointer);
}

void Object::set_numeric_attribute(const std::string& name, hid_t type, const void* data, std::size_t count,
                                   bool array) {
  const std::array<hsize_t, 1> dims{count};
  const Handle space = array ? simple_space(dims) : scalar_space();
  replace_attribute(name, type, space.id(), data);
}

void Object::set_enum_attribute(const std::string& name, std::int8_t value, std::span<const std::string_view> names) {
  const Handle type = datatype_handle(H5Tenum_create(H5T_NATIVE_INT8), "create an enum type");
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto code = static_cast<std::int8_t>(k);
    check(H5Tenum_insert(type.id(), std::string(names[k]).c_str(), &code), "add an enum member");
  }
  const Handle space = scalar_space();
  replace_attribute(name, type.id(), space.id(), &value);
}

bool Object::has_attribute(const std::string& name) const {
  return check(H5Aexists(id(), name.c_str()), "look up attribute '" + name + "' of " + path()) > 0;
}

std::string Object::string_attribute(const std::string& name) const {
  const Handle attribute = attribute_handle(H5Aopen(id(), name.c_str(), H5P_DEFAULT), "open attribute '" + name + "' of " + path());
  const Handle file_type = datatype_handle(H5Aget_type(attribute.id()), "get the type of attribute '" + name + "'");
  if (H5Tget_class(file_type.id()) != H5T_STRING) throw Error("HDF5: attribute '" + name + "' of " + path() + " is not a string");
  if (check(H5Tis_variable_str(file_type.id()), "inspect attribute '" + name + "'") > 0) {
    const Handle type = utf8_string_type();
    char* text = nullptr;
    check(H5Aread(attribute.id(), type.id(), &text), "read attribute '" + name + "' of " + path());
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(file_type.id()), '\0');
  check(H5Aread(attribute.id(), file_type.id(), value.data()), "read attribute '" + name + "' of " + path());
  return value.substr(0, value.find('\0'));
}

void Object::read_numeric_attribute(const std::string& name, hid_t type, void* value) const {
  const Handle attribute = attribute_handle(H5Aopen(id(), name.c_str(), H5P_DEFAULT), "open attribute '" + name + "' of " + path());
  check(H5Aread(attribute.id(), type, value), "read attribute '" + name + "' of " + path());
}

std::vector<std::string> Object::attribute_names() const {
  H5O_info_t info{};  // HDF5 1.10 (Debian 12): H5Oget_info2
  check(H5Oget_info2(id(), &info, H5O_INFO_NUM_ATTRS), "list the attributes of " + path());
  std::vector<std::string> names;
  for (hsize_t k = 0; k < info.num_attrs; ++k) {
    const ssize_t size = check(H5Aget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT),
                               "name an attribute of " + path());
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    check(H5Aget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, k, name.data(), name.size(), H5P_DEFAULT),
          "name an attribute of " + path());
    name.resize(static_cast<std::size_t>(size));
    names.push_back(std::move(name));
  }
  return names;
}

std::vector<std::uint64_t> Dataset::shape() const {
  const Handle space = dataspace_handle(H5Dget_space(id()), "get the dataspace of " + path());
  const int rank = check(H5Sget_simple_extent_ndims(space.id()), "get the rank of " + path());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr), "get the shape of " + path());
  return {dims.begin(), dims.end()};
}

void Dataset::read_raw(hid_t type, void* out) const {
  std::uint64_t count = 1;
  for (const auto d : shape()) count *= d;
  if (count == 0) return;
  check(H5Dread(id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), "read " + path());
}

AppendableDataset::AppendableDataset(Handle handle, std::string path, Handle memory_type, std::size_t element_size,
                                     std::uint64_t rows, std::uint64_t row_length)
    : Dataset(std::move(handle), std::move(path)),
      memory_type_(std::move(memory_type)),
      element_size_(element_size),
      rows_(rows),
      row_length_(row_length) {}

void AppendableDataset::append_raw(const void* data, std::size_t count, std::size_t element_size) {
  if (element_size != element_size_) throw Error("HDF5: appending elements of the wrong size to " + path());
  if (count == 0) return;
  const std::uint64_t per_row = std::max<std::uint64_t>(row_length_, 1);
  if (count % per_row != 0) throw Error("HDF5: appending a partial row to " + path());
  const std::uint64_t new_rows = count / per_row;
  const int rank = row_length_ == 0 ? 1 : 2;
  const std::array<hsize_t, 2> new_size{rows_ + new_rows, row_length_}, start{rows_, 0}, extent{new_rows, row_length_};
  check(H5Dset_extent(id(), new_size.data()), "extend " + path());
  const Handle file_space = dataspace_handle(H5Dget_space(id()), "get the dataspace of " + path());
  check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr),
        "select the appended rows of " + path());
  const Handle memory_space = simple_space(std::span<const hsize_t>(extent.data(), static_cast<std::size_t>(rank)));
  check(H5Dwrite(id(), memory_type_.id(), memory_space.id(), file_space.id(), H5P_DEFAULT, data),
        "append to " + path());
  rows_ += new_rows;
}

Group Group::create_group(const std::string& name) {
  return {group_handle(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       "create group " + child(name)),
          child(name)};
}

Group Group::open_group(const std::string& name) const {
  return {group_handle(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), "open group " + child(name)), child(name)};
}

Dataset Group::open_dataset(const std::string& name) const {
  return {dataset_handle(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "open dataset " + child(name)), child(name)};
}

std::vector<std::string> Group::member_names() const {
  H5G_info_t info{};
  check(H5Gget_info(id(), &info), "list the members of " + path());
  std::vector<std::string> names;
  for (hsize_t k = 0; k < info.nlinks; ++k) {
    const ssize_t size = check(H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT),
                               "name a member of " + path());
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    check(H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, k, name.data(), name.size(), H5P_DEFAULT),
          "name a member of " + path());
    name.resize(static_cast<std::size_t>(size));
    names.push_back(std::move(name));
  }
  return names;
}

bool Group::contains(const std::string& name) const {
  return check(H5Lexists(id(), name.c_str(), H5P_DEFAULT), "look up " + child(name)) > 0;
}

Dataset Group::write_string(const std::string& name, std::string_view text) {
  const Handle type = utf8_string_type();
  const Handle space = scalar_space();
  Handle dataset = dataset_handle(
      H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      "create dataset " + child(name));
  const std::string value(text);
  const char* pointer = value.c_str();
  check(H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointer), "write " + child(name));
  return {std::move(dataset), child(name)};
}

Dataset Group::write_strings(const std::string& name, std::span<const std::string> texts) {
  const Handle type = utf8_string_type();
  const std::array<hsize_t, 1> dims{texts.size()};
  const Handle space = simple_space(dims);
  Handle dataset = dataset_handle(
      H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      "create dataset " + child(name));
  std::vector<const char*> pointers;
  for (const auto& text : texts) pointers.push_back(text.c_str());
  if (!texts.empty())
    check(H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "write " + child(name));
  return {std::move(dataset), child(name)};
}

Dataset Group::write_array_raw(const std::string& name, hid_t type, const void* data, std::size_t count,
                               std::vector<std::uint64_t> dims, Compression compression) {
  if (dims.empty()) dims = {count};
  std::uint64_t product = 1;
  for (const auto d : dims) product *= d;
  if (product != count) throw Error("HDF5: " + child(name) + ": the dimensions do not match the data size");
  const std::vector<hsize_t> shape(dims.begin(), dims.end());
  const Handle space = simple_space(shape);
  Handle properties = property_handle(H5Pcreate(H5P_DATASET_CREATE), "create dataset properties");
  if (count > 0 && (compression.shuffle || compression.deflate_level > 0))
    properties = chunked_properties(chunk_dims(shape, H5Tget_size(type), false), compression);
  Handle dataset = dataset_handle(
      H5Dcreate2(id(), name.c_str(), type, space.id(), H5P_DEFAULT, properties.id(), H5P_DEFAULT),
      "create dataset " + child(name));
  if (count > 0) check(H5Dwrite(dataset.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + child(name));
  return {std::move(dataset), child(name)};
}

AppendableDataset Group::create_appendable_raw(const std::string& name, Handle type, std::size_t element_size,
                                               std::uint64_t row_length, Compression compression) {
  const std::size_t rank = row_length == 0 ? 1 : 2;
  const std::array<hsize_t, 2> dims{0, row_length}, max_dims{H5S_UNLIMITED, row_length};
  const Handle space = simple_space(std::span(dims.data(), rank), std::span(max_dims.data(), rank));
  const std::array<hsize_t, 2> chunk_shape{0, row_length};
  const Handle properties =
      chunked_properties(chunk_dims(std::span(chunk_shape.data(), rank), element_size, true), compression);
  Handle dataset = dataset_handle(
      H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, properties.id(), H5P_DEFAULT),
      "create dataset " + child(name));
  return {std::move(dataset), child(name), std::move(type), element_size, 0, row_length};
}

AppendableDataset Group::open_appendable_raw(const std::string& name, Handle type, std::size_t element_size) const {
  Handle dataset = dataset_handle(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "open dataset " + child(name));
  const Handle space = dataspace_handle(H5Dget_space(dataset.id()), "get the dataspace of " + child(name));
  const int rank = check(H5Sget_simple_extent_ndims(space.id()), "get the rank of " + child(name));
  if (rank != 1 && rank != 2) throw Error("HDF5: " + child(name) + " is not a table of rows");
  std::array<hsize_t, 2> dims{0, 0};
  check(H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr), "get the size of " + child(name));
  return {std::move(dataset), child(name), std::move(type), element_size, dims[0], rank == 2 ? dims[1] : 0};
}

}  // namespace qsnn::experiments::h5
